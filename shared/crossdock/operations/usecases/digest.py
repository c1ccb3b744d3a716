"""The daily operations digest: the last day on one e-mail to the reports topic — per shop orders,
lag and state; stock pushes, refusals and drift; tracking incidents; products without a fresh
supplier; dead-letter depths; the alerts sent. Built from the snapshot a person would see on
`crossdock status`, so the two never disagree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from crossdock.core.alerts.report import Report, Section, quoted
from crossdock.core.text import duration, table_lines
from crossdock.core.times import iso_z
from crossdock.operations.usecases.snapshot import DAY, OperationsSnapshot

if TYPE_CHECKING:
    from crossdock.core.alerts.report import ReportSink
    from crossdock.operations.views import Snapshot

MAX_LINES = 20  # per list in the e-mail; the rest is counted ("… and 12 more")
ALERTS_READ = 500  # alerts of the day read from the log, to count them


@dataclass
class DailyDigest:
    snapshot: OperationsSnapshot
    reports: ReportSink
    clock: Callable[[], datetime]

    def send(self, *, window: timedelta = DAY) -> Snapshot:
        taken = self.snapshot.take(window=window, alerts=ALERTS_READ)
        self.reports.publish_report(digest_report(taken), now=self.clock())
        return taken


def digest_report(s: Snapshot) -> Report:
    day = f"{s.taken_at:%Y-%m-%d}"
    orders = sum(shop.orders or 0 for shop in s.shops)
    alerts = sum(1 for a in s.alerts if a.topic == "alerts")
    return Report(
        key=f"operations-digest:{day}",
        subject=f"Operations digest {day}: {s.health.level}, {orders} order(s), {alerts} alert(s)",
        generated_at=s.taken_at,
        intro=f"The last {(s.taken_at - s.since).total_seconds() / 3600:g} h "
        f"({iso_z(s.since)} to {iso_z(s.taken_at)}). Overall: {s.health.level}."
        + "".join(f"\n  - {reason}" for reason in s.health.reasons),
        sections=(
            Section("Shops (orders placed in the window, checkpoint lag, state)", _shops(s)),
            Section("Stock", _stock(s)),
            Section("Tracking", _tracking(s)),
            Section("Suppliers: products without a fresh supplier", _blocked(s)),
            Section("Dead-letter queues (messages waiting)", _dead_letters(s)),
            Section("Alerts sent", _alerts(s)),
        ),
    )


def _shops(s: Snapshot) -> tuple[str, ...]:
    rows = [
        [
            shop.shop_id,
            shop.channel,
            str(shop.orders if shop.orders is not None else "—"),
            duration(shop.lag_seconds),
            shop.state,
            shop.last_outcome,
        ]
        for shop in s.shops
    ]
    return quoted(table_lines(["SHOP", "CHANNEL", "ORDERS", "LAG", "STATE", "LAST RUN"], rows, "no shops"))


def _stock(s: Snapshot) -> tuple[str, ...]:
    st = s.stock
    lines = [
        f"pushes accepted {st.pushes}, refused {st.refusals}, failed (retried) {st.failures}",
        f"listings {st.listings}: {st.agreeing} agree, {len(st.over_offered)} show more than sellable, "
        f"{st.under_offered} show less, {len(st.needs_review)} need review",
        f"read-back drift on {st.read_back_drift} listing(s); {st.pending_marks} change(s) waiting for a flush"
        + (f" (oldest since {iso_z(st.oldest_mark_at)})" if st.oldest_mark_at else ""),
    ]
    lines += _capped(
        [
            f"over-offered {i.sku} on {i.shop_id}: shows {i.shown}, sellable {i.sellable}"
            for i in st.over_offered
        ]
    )
    lines += _capped([f"needs review {i.sku} on {i.shop_id}: {i.detail}" for i in st.needs_review])
    return quoted(lines)


def _tracking(s: Snapshot) -> tuple[str, ...]:
    t = s.tracking
    lines = [
        f"{t.parcels} parcel(s) tracked: {len(t.stalled)} stalled, {len(t.follow_up)} with no source answering"
    ]
    lines += _capped([f"stalled {p.parcel_key} ({p.shop_id}) since {iso_z(p.since)}" for p in t.stalled])
    lines += _capped([f"no answer {p.parcel_key} ({p.shop_id}) since {iso_z(p.since)}" for p in t.follow_up])
    lines += [
        f"source {src.source}: {src.answers} answers, {src.silent_rate:.0%} silent"
        + (f", demoted since {iso_z(src.demoted_since)}" if src.demoted_since else "")
        for src in t.sources
    ]
    return quoted(lines)


def _blocked(s: Snapshot) -> tuple[str, ...]:
    return quoted(_capped([p.summary for p in s.blocked]) or ["none"])


def _dead_letters(s: Snapshot) -> tuple[str, ...]:
    return tuple(
        f"{q.queue}: {q.depth if q.depth is not None else 'unknown'}" + (f" ({q.note})" if q.note else "")
        for q in s.dead_letters
    )


def _alerts(s: Snapshot) -> tuple[str, ...]:
    kinds = Counter(a.topic for a in s.alerts)
    lines = [f"{kinds['alerts']} alert(s), {kinds['reports']} report(s)"]
    lines += _capped([f"{iso_z(a.sent_at)} {a.subject}" for a in s.alerts if a.topic == "alerts"])
    return quoted(lines)


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"… and {len(lines) - MAX_LINES} more"]
