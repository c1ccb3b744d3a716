"""Judging one source's answer about a parcel: news, an honest "nothing newer", a young parcel the
carrier has not scanned yet, or a silent failure (empty / not found / rejected / failed / stale) —
and what a good answer does to the parcel (`with_news`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from crossdock.tracking.rules.parcel import (
    Answer,
    Found,
    Judgement,
    Missing,
    OrderRef,
    Parcel,
    Verdict,
    judge,
    with_news,
)
from crossdock.tracking.rules.status import TrackingEvent, TrackingStatus

S = TrackingStatus
H = timedelta(hours=1)
SHOULD_KNOW = 24 * H
HANDED = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
CHINA = timezone(timedelta(hours=8))


def scan(
    hours: float, status: TrackingStatus = S.IN_TRANSIT, *, raw: str = "", source: str = "4px"
) -> TrackingEvent:
    return TrackingEvent(
        at=HANDED + timedelta(hours=hours, seconds=37),  # 4PX gives seconds
        description=f"{status} at +{hours} h",
        location="SHENZHEN",
        raw_status=raw or str(status).upper(),
        status=status,
        source=source,
    )


def relayed(event: TrackingEvent) -> TrackingEvent:
    """The same scan as an aggregator relays it: minutes only, local time, other spelling."""
    return TrackingEvent(
        at=event.at.replace(second=0).astimezone(CHINA),
        description=event.description.upper() + ".",
        location="Shenzhen, CN",
        raw_status="InTransit",
        status=event.status,
        source="17track",
    )


INFO, DEPARTED, ARRIVED = scan(2, S.INFO_RECEIVED, raw="OR"), scan(10, raw="DA"), scan(30, raw="AA")
OUT = scan(50, S.OUT_FOR_DELIVERY, raw="OD")


def parcel(*events: TrackingEvent, status: TrackingStatus | None = None, **changes: object) -> Parcel:
    base = Parcel(
        tracking_number="4PX3000123456789CN",
        carrier="4px",
        registered_at=HANDED,
        handed_over_at=HANDED,
        order=OrderRef("ebay", "shop-1", "12-34567-89012"),
        events=tuple(events),
        status=status or (max(events, key=lambda e: e.at).status if events else S.PENDING),
        raw_status=max(events, key=lambda e: e.at).raw_status if events else "",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def at(hours: float) -> datetime:
    return HANDED + timedelta(hours=hours)


# --- judge ---------------------------------------------------------------------------------------

YOUNG, OLD, BOUNDARY = at(2), at(30), at(24)
KNOWN = (INFO, DEPARTED, ARRIVED)


@pytest.mark.parametrize(
    ("known", "now", "answer", "verdict", "reason"),
    [
        # a young parcel without scans: "nothing" is legitimate, a rejection or failure is not
        ((), YOUNG, Missing("empty"), Verdict.NOT_YET, ""),
        ((), YOUNG, Missing("not_found", "NOTFOUND"), Verdict.NOT_YET, ""),
        ((), YOUNG, Found(()), Verdict.NOT_YET, ""),
        ((), YOUNG, Missing("rejected", "invalid number"), Verdict.SILENT, "rejected"),
        ((), YOUNG, Missing("failed", "HTTP 503"), Verdict.SILENT, "failed"),
        ((), YOUNG, Found((INFO,)), Verdict.NEWS, ""),
        # handed over a day ago: the source should know the number
        ((), OLD, Missing("empty"), Verdict.SILENT, "empty"),
        ((), OLD, Missing("not_found", "NOTFOUND"), Verdict.SILENT, "not_found"),
        ((), OLD, Found(()), Verdict.SILENT, "empty"),
        ((), OLD, Found((), "InfoReceived"), Verdict.SILENT, "empty"),
        ((), OLD, Missing("rejected"), Verdict.SILENT, "rejected"),
        ((), OLD, Missing("failed"), Verdict.SILENT, "failed"),
        ((), OLD, Found((DEPARTED, INFO)), Verdict.NEWS, ""),
        ((), BOUNDARY, Missing("empty"), Verdict.SILENT, "empty"),
        ((), BOUNDARY - timedelta(minutes=1), Missing("empty"), Verdict.NOT_YET, ""),
        # a young parcel that already had scans: the source knew it before
        ((INFO,), YOUNG, Missing("empty"), Verdict.SILENT, "empty"),
        ((INFO,), YOUNG, Missing("not_found"), Verdict.SILENT, "not_found"),
        ((INFO,), YOUNG, Found(()), Verdict.SILENT, "empty"),
        # a parcel with scans stored
        (KNOWN, OLD, Found(KNOWN), Verdict.NO_NEWS, ""),
        (KNOWN, OLD, Found((ARRIVED, INFO, DEPARTED)), Verdict.NO_NEWS, ""),
        (KNOWN, OLD, Found(tuple(relayed(e) for e in KNOWN)), Verdict.NO_NEWS, ""),
        (KNOWN, OLD, Found((relayed(ARRIVED),)), Verdict.NO_NEWS, ""),
        (KNOWN, OLD, Found((INFO, ARRIVED)), Verdict.NO_NEWS, ""),
        (KNOWN, OLD, Found((*KNOWN, OUT)), Verdict.NEWS, ""),
        (KNOWN, OLD, Found((OUT,)), Verdict.NEWS, ""),
        (KNOWN, OLD, Found((INFO, DEPARTED)), Verdict.SILENT, "stale"),
        (KNOWN, OLD, Found((DEPARTED,)), Verdict.SILENT, "stale"),
        (KNOWN, OLD, Found(()), Verdict.SILENT, "empty"),
        (KNOWN, OLD, Missing("empty"), Verdict.SILENT, "empty"),
        (KNOWN, OLD, Missing("not_found", "NotFound"), Verdict.SILENT, "not_found"),
        (KNOWN, OLD, Missing("rejected", "-1 bad number"), Verdict.SILENT, "rejected"),
        (KNOWN, OLD, Missing("failed", "result 0"), Verdict.SILENT, "failed"),
    ],
    ids=[
        "young-empty-is-not-yet",
        "young-not-found-is-not-yet",
        "young-known-without-scans-is-not-yet",
        "young-rejected-is-silent",
        "young-failed-is-silent",
        "young-first-scan-is-news",
        "old-empty-is-silent",
        "old-not-found-is-silent",
        "old-found-without-scans-is-silent",
        "old-found-with-status-but-no-scans-is-silent",
        "old-rejected-is-silent",
        "old-failed-is-silent",
        "old-first-scans-are-news",
        "empty-at-exactly-should-know-after-is-silent",
        "empty-a-minute-before-should-know-after-is-not-yet",
        "had-scans-then-empty-is-silent",
        "had-scans-then-not-found-is-silent",
        "had-scans-then-found-without-scans-is-silent",
        "same-scans-is-no-news",
        "same-scans-shuffled-is-no-news",
        "same-scans-relayed-in-minutes-by-another-source-is-no-news",
        "only-the-newest-scan-relayed-in-minutes-is-no-news",
        "subset-with-the-newest-is-no-news",
        "a-newer-scan-is-news",
        "only-the-newer-scan-is-news",
        "prefix-lacking-the-newest-is-stale",
        "an-older-scan-only-is-stale",
        "found-without-scans-is-silent",
        "empty-is-silent",
        "not-found-is-silent",
        "rejected-is-silent",
        "failed-is-silent",
    ],
)
def test_judge(
    known: tuple[TrackingEvent, ...], now: datetime, answer: Answer, verdict: Verdict, reason: str
) -> None:
    # Given
    p = parcel(*known)

    # When
    judgement = judge(p, answer, now=now, should_know_after=SHOULD_KNOW)

    # Then
    assert (judgement.verdict, judgement.reason) == (verdict, reason)
    assert judgement.failed is (verdict is Verdict.SILENT)
    assert (judgement.merge is not None) is (verdict in (Verdict.NEWS, Verdict.NO_NEWS))


def test_news_carries_the_merged_history_and_the_new_status() -> None:
    # Given
    p = parcel(INFO, DEPARTED)

    # When
    judgement = judge(p, Found((OUT, relayed(DEPARTED), ARRIVED)), now=at(51), should_know_after=SHOULD_KNOW)

    # Then
    assert judgement.verdict is Verdict.NEWS and judgement.merge is not None
    assert judgement.merge.added == (ARRIVED, OUT)
    assert judgement.merge.events == (INFO, DEPARTED, ARRIVED, OUT)
    assert (judgement.merge.status, judgement.merge.raw_status) == (S.OUT_FOR_DELIVERY, "OD")


def test_a_stale_answer_with_a_scan_we_lack_is_still_a_failure() -> None:
    # Given the source lacks the newest scan but has a middle one we never stored
    p = parcel(INFO, ARRIVED)

    # When
    judgement = judge(p, Found((INFO, DEPARTED)), now=at(40), should_know_after=SHOULD_KNOW)

    # Then: its newest is older than what we know, so it is behind: a failure, nothing is stored
    assert (judgement.verdict, judgement.reason, judgement.merge) == (Verdict.SILENT, "stale", None)


def test_a_missed_middle_scan_with_the_newest_is_news_that_keeps_the_status() -> None:
    # Given
    p = parcel(INFO, ARRIVED)

    # When
    judgement = judge(p, Found((ARRIVED, DEPARTED, INFO)), now=at(40), should_know_after=SHOULD_KNOW)

    # Then
    assert judgement.verdict is Verdict.NEWS and judgement.merge is not None
    assert judgement.merge.added == (DEPARTED,)
    assert (judgement.merge.status, judgement.merge.raw_status) == (S.IN_TRANSIT, "AA")


def test_an_unknown_missing_reason_of_a_known_parcel_is_a_failure() -> None:
    # When
    judgement = judge(parcel(INFO), Missing("timeout"), now=at(5), should_know_after=SHOULD_KNOW)

    # Then
    assert judgement.failed and judgement.reason == "timeout"


# --- the parcel ----------------------------------------------------------------------------------


def test_a_parcel_without_scans_takes_its_news_time_from_the_hand_over() -> None:
    # Given
    p = parcel()

    # When / Then
    assert p.key == "4px#4PX3000123456789CN"
    assert p.last_event_at is None
    assert p.last_news_at == HANDED
    assert not p.final


def test_a_parcel_takes_its_news_time_from_its_newest_scan() -> None:
    # Given
    p = parcel(INFO, DEPARTED)

    # When / Then
    assert p.last_event_at == p.last_news_at == DEPARTED.at


@pytest.mark.parametrize(
    ("status", "final"),
    [(s, s in (S.DELIVERED, S.EXPIRED)) for s in TrackingStatus],
    ids=[str(s) for s in TrackingStatus],
)
def test_only_delivered_and_expired_parcels_are_final(status: TrackingStatus, final: bool) -> None:
    # When / Then
    assert parcel(status=status).final is final


# --- with_news -----------------------------------------------------------------------------------


def good(p: Parcel, answer: Found, now: datetime) -> Judgement:
    judgement = judge(p, answer, now=now, should_know_after=SHOULD_KNOW)
    assert judgement.verdict in (Verdict.NEWS, Verdict.NO_NEWS)
    return judgement


def test_news_is_stored_with_its_source_and_time() -> None:
    # Given
    p = parcel(INFO)
    now = at(51)

    # When
    after = with_news(p, good(p, Found((DEPARTED, OUT)), now), source="17track", now=now)

    # Then
    assert after.events == (INFO, DEPARTED, OUT)
    assert (after.status, after.raw_status) == (S.OUT_FOR_DELIVERY, "OD")
    assert (after.last_success_at, after.source) == (now, "17track")
    assert (after.tracking_number, after.order, after.handed_over_at) == (
        p.tracking_number,
        p.order,
        p.handed_over_at,
    )


@pytest.mark.parametrize(
    ("answer", "clears_stall"),
    [
        (Found((INFO, DEPARTED, ARRIVED, OUT)), True),
        (Found((INFO, DEPARTED, ARRIVED)), False),
        (Found((INFO, scan(20, raw="XX"), ARRIVED)), False),
    ],
    ids=["a-newer-scan", "nothing-newer", "a-missed-older-scan-only"],
)
def test_a_good_answer_ends_the_follow_up_and_only_a_newer_scan_ends_a_stall(
    answer: Found, clears_stall: bool
) -> None:
    # Given a stalled parcel (already reported) that every source failed on since an hour ago
    p = parcel(
        INFO,
        DEPARTED,
        ARRIVED,
        follow_up_since=at(150),
        escalated_at=at(151),
        stalled_since=ARRIVED.at,
        stall_reported=True,
    )
    now = at(152)

    # When
    after = with_news(p, good(p, answer, now), source="4px", now=now)

    # Then
    assert (after.follow_up_since, after.escalated_at) == (None, None)
    assert after.last_success_at == now
    if clears_stall:
        assert (after.stalled_since, after.stall_reported) == (None, False)
    else:
        assert (after.stalled_since, after.stall_reported) == (ARRIVED.at, True)


def test_no_news_keeps_the_history_and_status() -> None:
    # Given
    p = parcel(INFO, DEPARTED)
    now = at(20)

    # When
    after = with_news(p, good(p, Found((relayed(DEPARTED),)), now), source="17track", now=now)

    # Then
    assert (after.events, after.status, after.raw_status) == (p.events, p.status, p.raw_status)
    assert (after.last_success_at, after.source) == (now, "17track")


@pytest.mark.parametrize(
    "answer",
    [Missing("empty"), Missing("failed"), Found((INFO,))],
    ids=["silent", "failed", "stale"],
)
def test_with_news_refuses_a_judgement_that_is_not_a_good_answer(answer: Answer) -> None:
    # Given
    p = parcel(INFO, DEPARTED)
    judgement = judge(p, answer, now=at(30), should_know_after=SHOULD_KNOW)

    # When / Then
    with pytest.raises(AssertionError):
        with_news(p, judgement, source="4px", now=at(30))


def test_with_news_refuses_not_yet() -> None:
    # Given
    p = parcel()
    judgement = judge(p, Missing("empty"), now=at(1), should_know_after=SHOULD_KNOW)

    # When / Then
    assert judgement.verdict is Verdict.NOT_YET
    with pytest.raises(AssertionError):
        with_news(p, judgement, source="4px", now=at(1))
