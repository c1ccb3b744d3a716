"""Property: whatever a parcel's journey (a return included) and whatever the sources answer round
after round — the full history, nothing, NOTFOUND, a rejection, a failed call, a copy lagging behind,
a shuffled part, the same scan relayed by two sources in different zones and spellings — the refresher's
rule (judge each answer; store a good one with `with_news`; otherwise the parcel is unanswered):

- reads a silent failure as a failure, never as news or "no news", once the source should know the parcel,
  and never reads a good answer as a failure;
- stores every scan of every good answer exactly once (unique keys), oldest first;
- never moves the status back by stage except through a documented return, and the status is the one
  the stored history gives in time order, whatever order the scans arrived in;
- flags a stall at most once per quiet spell.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise

from crossdock.tracking.rules.parcel import Answer, Found, Missing, Parcel, Verdict, judge, with_news
from crossdock.tracking.rules.policy import TrackingPolicy
from crossdock.tracking.rules.status import STAGE, TrackingEvent, TrackingStatus, advance, merge
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

S = TrackingStatus
START = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
CHINA = timezone(timedelta(hours=8))
POLICY = TrackingPolicy()
SOURCES = ("4px", "17track")
KINDS = ("good", "empty", "not_found", "rejected", "failed", "stale", "out_of_order")
FORWARD = (
    S.INFO_RECEIVED,
    S.IN_TRANSIT,
    S.EXCEPTION,
    S.OUT_FOR_DELIVERY,
    S.DELIVERY_FAILED,
    S.AVAILABLE_FOR_PICKUP,
)
SETTINGS = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@dataclass(frozen=True)
class Scan:
    """One true carrier scan."""

    index: int
    at: datetime
    status: TrackingStatus
    is_return: bool = False

    def as_told_by(self, source: str) -> TrackingEvent:
        """4PX: UTC to the second, its own words. 17TRACK: the same scan relayed to the minute in China
        time, upper case, other punctuation and another spelling of the place."""
        words = f"Scan {self.index} {self.status.value.replace('_', ' ')}"
        if source == "4px":
            return TrackingEvent(
                self.at, words, "SHENZHEN", f"4PX-{self.status}", self.status, source, self.is_return
            )
        relayed_at = self.at.replace(second=0).astimezone(CHINA)
        return TrackingEvent(
            relayed_at,
            f"{words.upper()}.",
            "Shenzhen, CN",
            f"17T-{self.index}",
            self.status,
            source,
            self.is_return,
        )


@st.composite
def journeys(draw: st.DrawFn) -> list[Scan]:
    """Stages never decrease along the forward leg; a return (exception) may follow, then the way back."""
    statuses = sorted(draw(st.lists(st.sampled_from(FORWARD), min_size=1, max_size=6)), key=STAGE.__getitem__)
    legs: list[tuple[TrackingStatus, bool]] = [(s, False) for s in statuses]
    ending = draw(st.sampled_from(["none", "delivered", "return", "return", "return_delivered"]))
    if ending == "delivered":
        legs.append((S.DELIVERED, False))
    if ending.startswith("return"):  # refused or not collected at the last mile, then sent back
        legs.append(
            (draw(st.sampled_from([S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED, S.AVAILABLE_FOR_PICKUP])), False)
        )
        legs.append((S.EXCEPTION, True))
        legs += [(s, False) for s in draw(st.lists(st.sampled_from([S.IN_TRANSIT, S.EXCEPTION]), max_size=2))]
        if ending == "return_delivered":
            legs.append((S.DELIVERED, True))
    at = START + timedelta(minutes=draw(st.integers(0, 20 * 60)), seconds=draw(st.integers(1, 59)))
    scans = []
    for index, (status, is_return) in enumerate(legs):
        if index:
            at += timedelta(minutes=draw(st.integers(60, 72 * 60)), seconds=draw(st.integers(0, 59)))
        scans.append(Scan(index, at, status, is_return))
    return scans


rounds = st.lists(
    st.tuples(
        st.integers(0, 48 * 60),  # minutes until this round
        st.sampled_from(KINDS),
        st.sampled_from(["4px", "17track", "both"]),  # who tells the scans ("both": some relayed twice)
        st.integers(0, 2**12),  # which scans a partial answer carries, and the shuffle
    ),
    min_size=3,
    max_size=20,
)
Round = tuple[int, str, str, int]


def answer_for(kind: str, visible: list[Scan], teller: str, pick: int) -> tuple[Answer, list[Scan]]:
    """The source's answer, and the true scans it carries. `pick`: for a stale copy, how many of the
    oldest scans it has (always fewer than visible); out of order, a bit mask of the scans it has."""
    missing = {
        "empty": "",
        "not_found": "NOTFOUND",
        "rejected": "invalid number",
        "failed": "HTTP 503 after retries",
    }
    if kind in missing:
        return Missing(kind, missing[kind]), []
    if kind == "good":
        told = list(visible)
    elif kind == "stale":  # a copy lagging behind: lacks at least the newest scan
        told = visible[: pick % len(visible)] if visible else []
    else:  # out of order: any part of the history
        told = [scan for scan in visible if pick >> scan.index & 1]
    rng = random.Random(pick)
    events = []
    for scan in told:
        tellers = [teller] if teller != "both" else rng.choice([["4px"], ["17track"], list(SOURCES)])
        events += [scan.as_told_by(name) for name in tellers]
    rng.shuffle(events)
    return Found(tuple(events)), told


def true_scan(hours: float, status: TrackingStatus, index: int, is_return: bool = False) -> Scan:
    return Scan(index, START + timedelta(hours=hours, seconds=37), status, is_return)


def hours(h: float) -> int:
    return int(h * 60)


def walked(events: tuple[TrackingEvent, ...]) -> TrackingStatus:
    status = S.PENDING
    for event in events:
        status = advance(status, event.status, is_return=event.is_return)
    return status


@SETTINGS
@given(journey=journeys(), steps=rounds)
@example(  # 17TRACK relays the newest scan to the minute after 4PX gave it to the second: not stale
    journey=[true_scan(1, S.INFO_RECEIVED, 0)],
    steps=[(hours(2), "good", "4px", 0), (hours(1), "good", "17track", 0)],
)
@example(  # a stall is reported; then a source fills in an older scan the first one missed
    journey=[
        true_scan(1, S.INFO_RECEIVED, 0),
        true_scan(10, S.IN_TRANSIT, 1),
        true_scan(20, S.IN_TRANSIT, 2),
    ],
    steps=[
        (hours(25), "out_of_order", "4px", 0b101),
        (hours(75), "failed", "4px", 0),
        (60, "good", "4px", 0),
    ],
)
@example(  # the first delivery run arrives after the pickup-point scan it preceded
    journey=[
        true_scan(1, S.IN_TRANSIT, 0),
        true_scan(20, S.OUT_FOR_DELIVERY, 1),
        true_scan(22, S.DELIVERY_FAILED, 2),
        true_scan(30, S.AVAILABLE_FOR_PICKUP, 3),
    ],
    steps=[(hours(31), "out_of_order", "4px", 0b1101), (60, "good", "both", 7), (60, "stale", "4px", 3)],
)
@example(  # refused at the door and sent back: the only way the status moves back
    journey=[
        true_scan(1, S.INFO_RECEIVED, 0),
        true_scan(30, S.OUT_FOR_DELIVERY, 1),
        true_scan(34, S.DELIVERY_FAILED, 2),
        true_scan(40, S.EXCEPTION, 3, is_return=True),
        true_scan(50, S.IN_TRANSIT, 4),
        true_scan(90, S.DELIVERED, 5, is_return=True),
    ],
    steps=[
        (hours(31), "good", "4px", 0),
        (hours(10), "good", "both", 5),
        (hours(5), "not_found", "17track", 0),
        (hours(10), "good", "17track", 0),
        (hours(40), "stale", "4px", 4),
        (hours(1), "good", "4px", 0),
    ],
)
def test_the_refresh_rule_never_reads_silence_as_news_and_keeps_a_truthful_history(
    journey: list[Scan], steps: list[Round]
) -> None:
    # Given a parcel handed over at START, and the key each true scan has whoever tells it
    truth_of = {scan.as_told_by(name).key: scan.index for scan in journey for name in SOURCES}
    assert len(truth_of) == len(journey), "both sources' copies of a scan must share its key"
    parcel = Parcel("4PX3000123456789CN", "4px", START, START)
    stored: set[int] = set()
    flagged: set[datetime] = set()
    now = START

    for minutes, kind, teller, pick in steps:
        # When a source answers this round
        now += timedelta(minutes=minutes)
        visible = [scan for scan in journey if scan.at <= now]
        answer, told = answer_for(kind, visible, teller, pick)
        judgement = judge(parcel, answer, now=now, should_know_after=POLICY.should_know_after)

        # Then a silent failure is a failure, and a good answer is not
        should_know = bool(stored) or now - START >= POLICY.should_know_after
        told_idx = {scan.index for scan in told}
        if isinstance(answer, Missing):
            must_fail = answer.reason in ("rejected", "failed") or should_know
        elif not told:
            must_fail = should_know
        else:
            must_fail = bool(stored) and max(told_idx) < max(stored)  # behind what we already have
        assert judgement.failed is must_fail, (kind, judgement)
        if kind == "good" and visible:
            assert judgement.verdict in (Verdict.NEWS, Verdict.NO_NEWS)
        if not must_fail and (told or should_know):
            assert judgement.verdict is (Verdict.NEWS if told_idx - stored else Verdict.NO_NEWS)

        # And the refresher's rule is applied
        before = parcel
        if judgement.verdict in (Verdict.NEWS, Verdict.NO_NEWS):
            parcel = with_news(parcel, judgement, source=teller, now=now)
            stored |= told_idx
        elif judgement.verdict is Verdict.NOT_YET:
            parcel = replace(parcel, follow_up_since=None, escalated_at=None)
        else:
            parcel = replace(parcel, follow_up_since=parcel.follow_up_since or now)
            assert parcel.events == before.events and parcel.status is before.status
        noticed = POLICY.notice_stall(parcel, now)
        if noticed.stalled_since is not None and parcel.stalled_since is None:
            assert noticed.stalled_since not in flagged, "a stall flagged twice"
            flagged.add(noticed.stalled_since)
            noticed = replace(noticed, stall_reported=True)  # the planner reports it
        parcel = noticed

        # And the history holds every scan of every good answer once, oldest first
        events = parcel.events
        assert len({e.key for e in events}) == len(events)
        assert all(a.at <= b.at for a, b in pairwise(events))
        assert sorted(truth_of[e.key] for e in events) == sorted(stored)
        if kind == "good":
            assert {scan.index for scan in visible} <= stored

        # And the status moves back only through a documented return, and is what the history says
        known_before = {e.key for e in before.events}
        returned = any(e.is_return for e in events if e.key not in known_before)
        if not returned:
            assert STAGE[parcel.status] >= STAGE[before.status], (before.status, parcel.status)
        assert parcel.status is walked(events)


@SETTINGS
@given(
    journey=journeys(),
    cuts=st.lists(st.integers(0, 2**16), min_size=1, max_size=5),
    seed=st.integers(0, 2**16),
)
def test_the_history_and_status_do_not_depend_on_the_order_scans_arrive_in(
    journey: list[Scan], cuts: list[int], seed: int
) -> None:
    # Given the whole journey told at once, and the same scans told by both sources in shuffled parts
    rng = random.Random(seed)
    at_once = merge((), [scan.as_told_by("4px") for scan in journey], S.PENDING, "")
    told = [scan.as_told_by(rng.choice(SOURCES)) for scan in journey]
    rng.shuffle(told)
    bounds = sorted({0, len(told), *(cut % (len(told) + 1) for cut in cuts)})

    # When
    step = merge((), (), S.PENDING, "")
    for lo, hi in pairwise(bounds):
        step = merge(step.events, told[lo:hi], step.status, step.raw_status)

    # Then
    assert [e.key for e in step.events] == [e.key for e in at_once.events]
    assert step.status is at_once.status is walked(at_once.events)
