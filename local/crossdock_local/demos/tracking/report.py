"""The tracking story's account: what each refresh round did, the 4PX outage's failover, the parcel
no source knew, the stall, and what customer service reads to buyers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from crossdock.tracking.storage.tables import ShipmentModel

from crossdock_local.aws.outbox import subject_of


@dataclass(frozen=True)
class RoundFigures:
    label: str
    planned: int  # parcels the planner put into tasks
    refreshed: int  # parcels the workers checked
    answered_by: dict[str, int]  # source → parcels it answered (news or "nothing newer")
    followed_up: int  # parcels no source answered, now followed up by staff
    elapsed_s: float


@dataclass(frozen=True)
class StatusRow:
    number: str
    carrier: str
    status: str
    source: str
    order: str
    line: str

    @classmethod
    def of(cls, item: ShipmentModel) -> StatusRow:
        order = f"{item.shop_id} {item.order_id}" if item.order_id else "(imported)"
        return cls(
            item.tracking_number, item.carrier, item.status, item.source or "—", order, item.status_line
        )


@dataclass
class TrackingOutcome:
    from_orders: int = 0  # parcels registered from the demo's shipped orders
    imported: int = 0
    import_file: Path | None = None
    rounds: list[RoundFigures] = field(default_factory=list)
    outage_parcels: int = 0  # 4PX parcels travelling, with a scan stored, when 4PX went empty
    young: int = 0  # travelling 4PX parcels without a scan yet: "not yet" for them, not a failure
    failed_over: int = 0  # of them, answered by 17TRACK during the outage
    real_scans: int = 0  # of those, status lines showing a carrier scan
    demotion_alerts: list[Path] = field(default_factory=list)
    follow_up: str = ""  # the number no source knew
    follow_up_line: str = ""
    follow_up_alerts: list[Path] = field(default_factory=list)  # digests naming it
    stalled: str = ""
    stalled_line: str = ""
    stall_alerts: list[Path] = field(default_factory=list)  # digests naming it
    rows: list[StatusRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        """Every staged incident ended as it should for buyers and operators."""
        return (
            self.outage_parcels > 0
            and self.failed_over == self.real_scans == self.outage_parcels
            and len(self.demotion_alerts) == 1
            and len(self.follow_up_alerts) == 1
            and len(self.stall_alerts) == 1
            and not self.errors
        )


def _by(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) or "none"


def _table(rows: list[StatusRow]) -> list[str]:
    table = [["NUMBER", "CARRIER", "STATUS", "SOURCE", "ORDER", "WHAT THE BUYER IS TOLD"]]
    table += [[r.number, r.carrier, r.status, r.source, r.order, r.line] for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(5)]
    return ["  ".join([*(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)), r[5]]) for r in table]


def tracking_lines(outcome: TrackingOutcome) -> list[str]:
    lines = ["", "== Tracking (parcels of the shipped orders and the imported file) =="]
    lines.append(
        f"parcels: {outcome.from_orders} registered from order.shipped events, {outcome.imported} imported"
        + (f" from {outcome.import_file.name}" if outcome.import_file else "")
    )
    for r in outcome.rounds:
        lines.append(
            f"{r.label}: planned {r.planned}, refreshed {r.refreshed}, answered by {_by(r.answered_by)}"
            f", followed up {r.followed_up} ({r.elapsed_s:.1f} s)"
        )
    lines.append(
        f"4PX outage (200 OK, no data): {outcome.failed_over} of {outcome.outage_parcels} scanned, travelling 4PX parcels"
        f" answered by 17TRACK; {outcome.real_scans} status lines show a real scan"
        + (f"; {outcome.young} without a first scan yet wait for one" if outcome.young else "")
    )
    subjects = [subject_of(p).removeprefix("[crossdock] ") for p in outcome.demotion_alerts]
    lines.append(f"source health: {'; '.join(subjects) or 'no demotion alert'}")
    lines.append(
        f"unknown everywhere: {outcome.follow_up} → {len(outcome.follow_up_alerts)} digest alert(s);"
        f" buyer reads: {outcome.follow_up_line}"
    )
    lines.append(
        f"stalled: {outcome.stalled} → {len(outcome.stall_alerts)} stall digest(s); buyer reads: {outcome.stalled_line}"
    )
    lines += _table(outcome.rows)
    if outcome.errors:
        lines.append("errors: " + "; ".join(outcome.errors[:5]))
    verdict = "every incident handled" if outcome.held else "NOT every incident handled as expected"
    lines.append(f"tracking: {verdict}")
    return lines
