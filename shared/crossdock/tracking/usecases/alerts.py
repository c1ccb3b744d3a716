"""Tracking's alerts: digests (one e-mail per incident, however many parcels and tasks: the
planner sends them, incidents.py) and source health (one per demotion)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.core.alerts.message import Alert

if TYPE_CHECKING:
    from crossdock.tracking.rules.parcel import Parcel
    from crossdock.tracking.storage.source_health import HealthWindow


def _who(parcel: Parcel) -> str:
    order = parcel.order
    where = f"order {order.order_id} on {order.channel}/{order.shop_id}" if order else "no order on file"
    return f"{parcel.carrier.upper()} {parcel.tracking_number} ({where})"


def _shops(parcels: Sequence[Parcel]) -> str:
    shops = sorted({p.order.shop_id for p in parcels if p.order})
    return shops[0] if len(shops) == 1 else "(several)"


def _last(parcel: Parcel) -> str:
    last = parcel.events[-1] if parcel.events else None
    return f"last scan {last.at:%Y-%m-%d %H:%M} UTC: {last.description}" if last else "no scan yet"


def follow_up_digest(
    parcels: Sequence[Parcel], failures: Mapping[str, list[str]], now: datetime, batch: str
) -> Alert:
    return Alert(
        dedupe_key=f"tracking-no-source:{batch}",
        subject=f"{len(parcels)} parcel(s): no tracking source answered",
        shop_id=_shops(parcels),
        channel="tracking",
        since=min(p.follow_up_since or now for p in parcels),
        what_happened="Every tracking source of these parcels answered without the data it should have "
        "(empty answers, not found, rejected, stale copies or failed calls), after retries.",
        what_we_did='Marked each parcel "tracking is being followed up by staff" (what customer service '
        "reads to the buyer) and re-checks every 30 minutes; if no data arrives within 2 hours this escalates.",
        what_to_do="Look the numbers up on the carriers' own sites; if the carrier has no record, contact it "
        "(lost hand-over) and tell the buyers.",
        details=tuple(f"{_who(p)}: {_last(p)}; {'; '.join(failures.get(p.key, []))}" for p in parcels),
    )


def escalation_digest(
    parcels: Sequence[Parcel], failures: Mapping[str, list[str]], now: datetime, batch: str
) -> Alert:
    return Alert(
        dedupe_key=f"tracking-escalation:{batch}",
        subject=f"ESCALATION: {len(parcels)} parcel(s) without tracking data for 2 hours",
        shop_id="(several)",
        channel="tracking",
        since=min(p.follow_up_since or now for p in parcels),
        what_happened="No tracking source has returned data for these parcels since the first alert, "
        "2 hours ago or more.",
        what_we_did="Kept re-checking every 30 minutes down every source; buyers see the follow-up line.",
        what_to_do="Call the carrier about these numbers now, and contact the buyers before they complain.",
        details=tuple(f"{_who(p)}: {_last(p)}; {'; '.join(failures.get(p.key, []))}" for p in parcels),
    )


def stall_digest(lines: Sequence[str], now: datetime, batch: str) -> Alert:
    return Alert(
        dedupe_key=f"tracking-stalled:{batch}",
        subject=f"{len(lines)} parcel(s) stalled: no new scan for days",
        shop_id="(several)",
        channel="tracking",
        since=now,
        what_happened="These parcels have had no new carrier scan for longer than their lane allows "
        "(72 hours unless configured per carrier).",
        what_we_did="Kept checking them; each is reported once per stall.",
        what_to_do="Ask the carrier where each parcel is; tell the buyer; reship or refund if it is lost.",
        details=tuple(lines),
    )


def auth_alert(source: str, error: Exception, now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"tracking-auth:{source}",
        subject=f"{source} tracking refused our credentials",
        shop_id="(all shops)",
        channel=source,
        since=now,
        what_happened=f"{source} rejected the tracking request as unauthenticated.",
        what_we_did="Asked the next source of each parcel's chain instead; no retries against this source "
        "until the next run.",
        what_to_do=f"Check the {source} key in Secrets Manager (crossdock/carriers/...) and the account status.",
        details=(str(error),),
    )


def _share(window: HealthWindow) -> str:
    return f"{window.silent_rate:.0%} of {window.answers} answers in the last hour were silent failures"


def _latency(window: HealthWindow) -> tuple[str, ...]:
    return (f"mean latency {window.mean_latency_ms:.0f} ms over {window.calls} calls",)


def demoted_alert(source: str, window: HealthWindow, backups: Sequence[str], since: datetime) -> Alert:
    """A source demoted behind healthy backups (one alert per demotion: the key carries its start)."""
    behind = " and ".join(backups)
    return Alert(
        dedupe_key=f"tracking-source-demoted:{source}:{since:%Y-%m-%dT%H:%M}",
        subject=f"{source} tracking demoted behind {behind}",
        shop_id="(all shops)",
        channel=source,
        since=since,
        what_happened=_share(window) + " (above the demotion threshold).",
        what_we_did=f"Parcels are now asked of {behind} first; {source} still gets one probe per batch "
        "and is promoted back when its probes answer well again.",
        what_to_do="Nothing unless it persists: then ask the carrier about its tracking API.",
        details=_latency(window),
    )


def no_backup_alert(source: str, window: HealthWindow, why: str, secret: str, since: datetime) -> Alert:
    """A failing source with no healthy source behind it (17TRACK, the last of its chains):
    demoting it would change nothing, so the alert does not pretend it did."""
    return Alert(
        dedupe_key=f"tracking-source-failing:{source}:{since:%Y-%m-%dT%H:%M}",
        subject=f"{source} tracking failing, no backup source",
        shop_id="(all shops)",
        channel=source,
        since=since,
        what_happened=f"{_share(window)} (above the demotion threshold). {source} is {why}: "
        "there is no backup to ask instead.",
        what_we_did=f"Kept asking {source}, with retries. Parcels it cannot answer are marked "
        '"tracking is being followed up by staff" for their buyers and named in one follow-up digest '
        "(2 hours later, one escalation).",
        what_to_do=f"Check {source}'s service status and the account: key, plan and quota (secret {secret} "
        f"in Secrets Manager). If it persists, contact {source} support; meanwhile look the parcels of "
        "the follow-up digest up on the carriers' own sites.",
        details=_latency(window),
    )


def promoted_alert(source: str, window: HealthWindow, had_backup: bool, now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"tracking-source-promoted:{source}:{now:%Y-%m-%dT%H:%M}",
        subject=f"{source} tracking {'promoted back' if had_backup else 'recovered'}",
        shop_id="(all shops)",
        channel=source,
        since=now,
        what_happened=_share(window) + " (recovered).",
        what_we_did=f"{source} is asked first again." if had_backup else f"{source} answers again.",
        what_to_do="Nothing.",
        details=_latency(window),
    )
