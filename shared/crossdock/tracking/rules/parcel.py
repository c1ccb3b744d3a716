"""A parcel under tracking, and how one source's answer about it is judged (pure, no I/O).

The rule this module exists for: a source that answers "200 OK" without news it should have is
failing, not reporting "no data yet". An answer is judged against what the parcel already knows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from crossdock.tracking.rules.status import FINAL, Merge, TrackingEvent, TrackingStatus, merge


@dataclass(frozen=True)
class Found:
    """The source knows the number: its scans (any order) and, if it states one, its overall status."""

    events: tuple[TrackingEvent, ...]
    raw_status: str = ""


@dataclass(frozen=True)
class Missing:
    """The source gave no scans for the number. `reason`: "empty" (no data at all), "not_found"
    (NOTFOUND / NotFound), "rejected" (a per-number error) or "failed" (the call that carried the
    number failed after its retries: failure envelope, 5xx, timeouts); `detail` is the source's text."""

    reason: str
    detail: str = ""


Answer = Found | Missing


class Verdict(StrEnum):
    NEWS = "news"  # new scans stored
    NO_NEWS = "no_news"  # the source knows the parcel and has nothing newer: a healthy answer
    NOT_YET = "not_yet"  # a young parcel the carrier has not scanned yet: not a failure
    SILENT = "silent"  # the answer lacks what the source should know: a failure


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    reason: str = ""  # for SILENT: empty, not_found, rejected, stale
    merge: Merge | None = None

    @property
    def failed(self) -> bool:
        return self.verdict is Verdict.SILENT


@dataclass(frozen=True)
class OrderRef:
    channel: str
    shop_id: str
    order_id: str


@dataclass(frozen=True)
class Parcel:
    tracking_number: str
    carrier: str  # normalized carrier code: "4px", "yanwen", or another carrier's slug
    registered_at: datetime
    handed_over_at: datetime  # when the order shipped (the carrier should know it from then on)
    order: OrderRef | None = None
    status: TrackingStatus = TrackingStatus.PENDING
    raw_status: str = ""
    events: tuple[TrackingEvent, ...] = ()
    last_success_at: datetime | None = None
    source: str | None = None  # the source of the last good answer
    next_check_at: datetime | None = None
    follow_up_since: datetime | None = None  # every source failed since then (the incident window)
    follow_up_reported_at: datetime | None = None  # the window's follow-up digest went out (planner)
    escalated_at: datetime | None = None  # the window's escalation digest went out (planner)
    stalled_since: datetime | None = None  # the last news time the stall was noticed at
    stall_reported: bool = False
    registered_with: frozenset[str] = field(default_factory=frozenset)  # sources that need a register call
    shop_time_zone: str | None = None  # the order's shop's IANA zone (its event's); None: not known
    pushed_at: datetime | None = None  # the last 17TRACK push applied: polled less while recent (policy)

    @property
    def key(self) -> str:
        return f"{self.carrier}#{self.tracking_number}"

    @property
    def last_event_at(self) -> datetime | None:
        return self.events[-1].at if self.events else None

    @property
    def last_news_at(self) -> datetime:
        """The time of the newest scan, or the hand-over when there is none."""
        return self.last_event_at or self.handed_over_at

    @property
    def final(self) -> bool:
        return self.status in FINAL


def judge(parcel: Parcel, answer: Answer, *, now: datetime, should_know_after: timedelta) -> Judgement:
    """Is `answer` news, an honest "nothing newer", a legitimately unknown young parcel, or a silent failure?

    A source should know a parcel once it was handed over more than `should_know_after` ago, or
    as soon as any scan of it exists. Missing data for such a parcel, a per-number rejection, or
    scans all older than what is stored are silent failures.
    """
    known_by_now = bool(parcel.events) or now - parcel.handed_over_at >= should_know_after
    if isinstance(answer, Missing):
        if answer.reason in ("rejected", "failed") or known_by_now:
            return Judgement(Verdict.SILENT, answer.reason)
        return Judgement(Verdict.NOT_YET)
    if not answer.events:
        return Judgement(Verdict.SILENT, "empty") if known_by_now else Judgement(Verdict.NOT_YET)
    newest = max(e.at for e in answer.events)
    if parcel.last_event_at is not None and _minute(newest) < _minute(parcel.last_event_at):
        return Judgement(Verdict.SILENT, "stale")
    result = merge(parcel.events, answer.events, parcel.status, parcel.raw_status)
    return Judgement(Verdict.NEWS if result.added else Verdict.NO_NEWS, merge=result)


def _minute(at: datetime) -> datetime:
    """Scans are compared to the minute, as `TrackingEvent.key` identifies them: an aggregator that
    relays the newest scan without its seconds is up to date, not stale."""
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def with_news(parcel: Parcel, judgement: Judgement, *, source: str, now: datetime) -> Parcel:
    """The parcel after a good answer (news or an honest "nothing newer") from `source`."""
    assert judgement.verdict in (Verdict.NEWS, Verdict.NO_NEWS) and judgement.merge is not None
    m = judgement.merge
    recovered = parcel.follow_up_since is not None
    # Only a scan newer than the newest known ends a stall; one filled in before it does not.
    moved = bool(m.events) and (parcel.last_event_at is None or m.events[-1].at > parcel.last_event_at)
    return replace(
        parcel,
        events=m.events,
        status=m.status,
        raw_status=m.raw_status,
        last_success_at=now,
        source=source,
        follow_up_since=None,
        follow_up_reported_at=None,
        escalated_at=None if recovered else parcel.escalated_at,
        stalled_since=None if moved else parcel.stalled_since,
        stall_reported=False if moved else parcel.stall_reported,
    )
