"""One shop's flush: every listing its changes marked, in the channel's largest batches.

Why marks and a flush instead of pushing each change: a burst of changed SKUs (an import of 10,000)
arrives on the stock-changes queue ten at a time; pushed as it arrives that is 1,000 Amazon feeds,
1,000 Shopify calls and 1,000 eBay calls. Marked and flushed per shop, it is one feed (up to 25,000
messages), ⌈N/250⌉ Shopify calls and ⌈N/25⌉ eBay calls. The flush queue is FIFO, grouped by shop, so
one flush per shop runs at a time: a quantity is always computed from the SKU as stored when it is
sent, never from an older version after a newer one.

1. Settle: while the newest mark is younger than `settle_s` (a burst is still being marked), wait —
   at most `max_settle_s`, so a steady stream still flushes.
2. Drain: push every due mark (not waiting for a retry), until none is due. A mark is cleared only
   for the version that was pushed: a change marked meanwhile stays for the next pass.
3. Transient refusals of an item are retried with backoff (`retry_base_s` doubling) within this flush
   while its time allows, for `max_attempts` pushes; past that the listing stays marked with a retry
   time for the 5-minute planner, and the incident is alerted. An Amazon feed that ends FATAL or
   CANCELLED is sent again at once as a new feed (the feed rate limit paces it); the second consecutive
   one alerts with both feed ids. Permanent refusals are listings for review, alerted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from crossdock.stock.usecases.flush_alerts import Incident, feed_failed_alert, listings_alert
from crossdock.stock.usecases.push import Attempt, PushReport, StockPusher, described

if TYPE_CHECKING:
    from crossdock.core.ports import AlertSink
    from crossdock.stock.storage.stock import StockRepository

TRIGGER = "change"
FEED_FAILURES = frozenset({"FATAL", "CANCELLED"})


@dataclass(frozen=True)
class FlushPolicy:
    settle_s: float = 3.0
    max_settle_s: float = 30.0
    retry_base_s: float = 5.0
    max_attempts: int = 5  # pushes of one mark the channel may refuse before a person hears of it
    park_s: float = 300.0  # then: the planner's next sweep
    margin_s: float = 30.0  # time kept back from the invocation's deadline
    max_passes: int = 25

    def backoff(self, attempts: int) -> float:
        return float(self.retry_base_s * 2 ** max(0, attempts - 1))


class FlushDeferred(RuntimeError):
    """A whole call failed transiently: the listings stay marked; the flush task is retried."""


@dataclass
class FlushReport:
    shop_key: str
    settled_s: float = 0.0
    passes: int = 0
    push: PushReport = field(default_factory=PushReport)
    retried: int = 0
    feeds_failed: list[str] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    more: bool = False  # marks left due when time ran out: flush again


@dataclass
class StockFlush:
    stock: StockRepository
    pusher: StockPusher
    alerts: AlertSink
    clock: Callable[[], datetime]
    sleep: Callable[[float], None]
    remaining_s: Callable[[], float] = lambda: 900.0
    policy: FlushPolicy = field(default_factory=FlushPolicy)

    def flush(self, shop_key: str) -> FlushReport:
        report = FlushReport(shop_key)
        try:
            self._settle(shop_key, report)
            self._drain(shop_key, report)
        finally:
            self._alert(report)
        return report

    def _settle(self, shop_key: str, report: FlushReport) -> None:
        while report.settled_s < self.policy.max_settle_s:
            marked = [li.dirty_at for li in self.stock.dirty(shop_key) if li.dirty_at is not None]
            if not marked:
                return
            quiet = (self.clock() - max(marked)).total_seconds()
            if quiet >= self.policy.settle_s:
                return
            pause = min(self.policy.settle_s - quiet, self.policy.max_settle_s - report.settled_s)
            self.sleep(pause)
            report.settled_s += pause

    def _drain(self, shop_key: str, report: FlushReport) -> None:
        consecutive_feed_failures = 0
        while report.passes < self.policy.max_passes:
            now = self.clock()
            marked = self.stock.dirty(shop_key)
            due = [li for li in marked if li.retry_at is None or li.retry_at <= now]
            if not due:
                waits = [  # backoffs still running (a parked listing waits for the planner)
                    (li.retry_at - now).total_seconds()
                    for li in marked
                    if li.retry_at is not None and int(li.attempts or 0) < self.policy.max_attempts
                ]
                if waits and min(waits) < self.remaining_s() - self.policy.margin_s:
                    self.sleep(max(0.0, min(waits)))
                    continue
                return
            report.passes += 1
            pushed = self.pusher.push_listings(due, trigger=TRIGGER)
            report.push.merge(pushed)
            report.incidents += [
                self._incident(a, "review", "one push; marked needs_review") for a in pushed.reviews
            ]
            if pushed.failed_skus:
                raise FlushDeferred(f"{shop_key}: {len(pushed.failed_skus)} SKU(s) not answered, kept marked")
            if pushed.blocked:
                return  # alerted by the pusher; the planner asks again every 5 minutes
            feed_failed = [a for a in pushed.retry if a.outcome.code in FEED_FAILURES]
            consecutive_feed_failures = consecutive_feed_failures + 1 if feed_failed else 0
            if feed_failed:
                report.feeds_failed.append(_feed_line(feed_failed))
            self._retry(pushed.retry, report, resend_now=0 < consecutive_feed_failures < 2)
            if consecutive_feed_failures >= 2:
                consecutive_feed_failures = 0
                now = self.clock()
                skus = len(feed_failed)
                self.alerts.send(feed_failed_alert(shop_key, report.feeds_failed[-2:], skus, now), now=now)
        report.more = True

    def _retry(self, attempts: list[Attempt], report: FlushReport, *, resend_now: bool) -> None:
        now = self.clock()
        for attempt in attempts:
            listing, outcome = attempt.listing, attempt.outcome
            tries = int(listing.attempts or 0) + 1
            report.retried += 1
            detail = described(outcome)
            if tries >= self.policy.max_attempts:
                wait = self.policy.park_s
                tried = f"{tries} pushes with backoff; retried every {self.policy.park_s / 60:g} minutes"
                report.incidents.append(self._incident(attempt, "retrying", tried))
            else:
                wait = 0.0 if resend_now and outcome.code in FEED_FAILURES else self.policy.backoff(tries)
            self.stock.defer(
                listing,
                attempts=tries,
                retry_at=now + timedelta(seconds=wait),
                status="retrying",
                detail=detail,
            )

    @staticmethod
    def _incident(attempt: Attempt, kind: str, tried: str) -> Incident:
        return Incident(
            shop_key=attempt.listing.shop_key,
            sku=attempt.listing.sku,
            shown=attempt.update.listing.last_accepted,
            sellable=attempt.update.quantity,
            code=attempt.outcome.code,
            reason=attempt.outcome.detail,
            tried=tried,
            kind=kind,
        )

    def _alert(self, report: FlushReport) -> None:
        if report.incidents:
            now = self.clock()
            self.alerts.send(listings_alert(report.incidents, now), now=now)


def _feed_line(attempts: list[Attempt]) -> str:
    return f"{attempts[0].outcome.detail} ({len(attempts)} listing quantities)"
