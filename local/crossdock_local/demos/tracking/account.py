"""The tracking story's figures, read back as an operator would: the parcels' items (status,
source, status line, checked and answered times) and the alert e-mails in the outbox."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from crossdock.tracking.rules.policy import FOLLOW_UP_LINE
from crossdock.tracking.storage.tables import ShipmentModel

from crossdock_local.demos.tracking.report import RoundFigures, StatusRow, TrackingOutcome


def travelling(items: Iterable[ShipmentModel]) -> list[ShipmentModel]:
    """Parcels still checked (not delivered or expired): they keep a next check."""
    return [i for i in items if i.next_check_at is not None]


def mentioning(paths: list[Path], kind: str, number: str) -> list[Path]:
    """The e-mails of one alert kind (its dedupe key's prefix) that name `number`."""
    return [p for p in paths if f"-{kind}_" in p.name and number in p.read_text(encoding="utf-8")]


def answered_since(item: ShipmentModel, since: datetime) -> bool:
    return item.last_success_at is not None and item.last_success_at >= since


def round_figures(
    label: str, planned: int, items: list[ShipmentModel], since: datetime, elapsed_s: float
) -> RoundFigures:
    checked = [i for i in items if i.last_checked_at is not None and i.last_checked_at >= since]
    return RoundFigures(
        label,
        planned=planned,
        refreshed=len(checked),
        answered_by=dict(Counter(i.source or "?" for i in checked if answered_since(i, since))),
        followed_up=sum(i.follow_up_since is not None for i in items),
        elapsed_s=elapsed_s,
    )


def settle(
    outcome: TrackingOutcome,
    items: dict[str, ShipmentModel],
    mail: list[Path],
    outage: list[str],
    follow_up: str,
    since: datetime,
) -> None:
    """Fill the outcome after the outage round: failover, demotion, follow-up, stall, sample rows."""
    over = [items[k] for k in outage if items[k].source == "17track" and answered_since(items[k], since)]
    outcome.outage_parcels, outcome.failed_over = len(outage), len(over)
    outcome.real_scans = sum(
        " — " in i.status_line and not i.status_line.startswith(FOLLOW_UP_LINE) for i in over
    )
    outcome.demotion_alerts = [p for p in mail if "-tracking-source-demoted_4PX" in p.name]
    if follow_up in items:
        outcome.follow_up_line = items[follow_up].status_line
        outcome.follow_up_alerts = mentioning(mail, "tracking-no-source", outcome.follow_up)
    stalled = next((i for i in items.values() if i.tracking_number == outcome.stalled), None)
    if stalled is not None:
        outcome.stalled_line = stalled.status_line
        outcome.stall_alerts = mentioning(mail, "tracking-stalled", outcome.stalled)
    outcome.rows = sample_rows(list(items.values()), outage, follow_up, stalled)


def sample_rows(
    items: list[ShipmentModel], outage: list[str], follow_up: str, stalled: ShipmentModel | None
) -> list[StatusRow]:
    """About eight parcels that show each case: 4PX failed over, delivered, each source, the
    staged follow-up and stall."""
    items = sorted(items, key=lambda i: (i.order_id is None, i.parcel_key))
    outage_keys = set(outage)
    picks: list[ShipmentModel] = []

    def take(n: int, match: Callable[[ShipmentModel], bool]) -> None:
        chosen = {p.parcel_key for p in picks} | {follow_up, stalled.parcel_key if stalled else ""}
        picks.extend([i for i in items if i.parcel_key not in chosen and match(i)][:n])

    take(2, lambda i: i.parcel_key in outage_keys and i.source == "17track")
    take(1, lambda i: i.status == "delivered")
    take(1, lambda i: i.carrier == "yanwen" and i.source == "yanwen")
    take(1, lambda i: i.carrier not in ("4px", "yanwen") and i.status != "delivered")
    take(1, lambda i: i.status == "out_for_delivery")
    picks += [i for i in items if i.parcel_key == follow_up]
    picks += [stalled] if stalled else []
    return [StatusRow.of(i) for i in picks]
