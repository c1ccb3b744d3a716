"""The unified tracking status: stages, the scan identity two sources agree on, `advance` (forward by
stage, never back, except a documented return or news after expiry) and `merge` (no duplicate scan,
oldest first, the status walked over the history in time order)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from crossdock.tracking.rules.status import FINAL, STAGE, TrackingEvent, TrackingStatus, advance, merge

S = TrackingStatus
T0 = datetime(2025, 3, 1, 8, 0, 30, tzinfo=UTC)
CHINA = timezone(timedelta(hours=8))
Relay = Callable[[tuple[TrackingEvent, ...]], list[TrackingEvent]]


def scan(
    hours: float,
    status: TrackingStatus = S.IN_TRANSIT,
    text: str = "",
    *,
    raw: str = "",
    source: str = "4px",
    location: str = "SHENZHEN",
    is_return: bool = False,
) -> TrackingEvent:
    return TrackingEvent(
        at=T0 + timedelta(hours=hours),
        description=text or f"{status} after {hours} h",
        location=location,
        raw_status=raw or str(status).upper(),
        status=status,
        source=source,
        is_return=is_return,
    )


# --- stages -----------------------------------------------------------------------------------


def test_every_status_has_a_stage_and_only_delivered_and_expired_are_final() -> None:
    # When / Then
    assert set(STAGE) == set(TrackingStatus)
    assert {S.DELIVERED, S.EXPIRED} == FINAL


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        (S.PENDING, S.INFO_RECEIVED),
        (S.INFO_RECEIVED, S.IN_TRANSIT),
        (S.IN_TRANSIT, S.OUT_FOR_DELIVERY),
        (S.EXCEPTION, S.OUT_FOR_DELIVERY),
        (S.OUT_FOR_DELIVERY, S.DELIVERED),
        (S.AVAILABLE_FOR_PICKUP, S.DELIVERED),
    ],
    ids=lambda s: str(s),
)
def test_stages_follow_the_journey(earlier: TrackingStatus, later: TrackingStatus) -> None:
    # When / Then
    assert STAGE[earlier] < STAGE[later]


@pytest.mark.parametrize(
    "group",
    [
        (S.IN_TRANSIT, S.EXCEPTION),
        (S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED, S.AVAILABLE_FOR_PICKUP),
        (S.DELIVERED, S.EXPIRED),
    ],
    ids=["line-haul-and-exception", "last-mile", "final"],
)
def test_statuses_that_alternate_share_a_stage(group: tuple[TrackingStatus, ...]) -> None:
    # When / Then
    assert len({STAGE[s] for s in group}) == 1


# --- the scan identity ---------------------------------------------------------------------------


def test_a_naive_time_is_refused() -> None:
    # When / Then
    with pytest.raises(ValueError, match="timezone-aware"):
        TrackingEvent(datetime(2025, 3, 1, 8, 0), "Departed", "SZ", "DA", S.IN_TRANSIT, "4px")


BASE = TrackingEvent(T0, "Departed from sorting center", "SHENZHEN", "DA", S.IN_TRANSIT, "4px")


@pytest.mark.parametrize(
    "relay",
    [
        TrackingEvent(T0.astimezone(CHINA), BASE.description, "SHENZHEN", "DA", S.IN_TRANSIT, "4px"),
        TrackingEvent(T0.replace(second=0), BASE.description, "SHENZHEN", "DA", S.IN_TRANSIT, "17track"),
        TrackingEvent(T0, "DEPARTED FROM SORTING CENTER", "SHENZHEN", "DA", S.IN_TRANSIT, "17track"),
        TrackingEvent(T0, "  Departed   from sorting-center.", "SHENZHEN", "DA", S.IN_TRANSIT, "17track"),
        TrackingEvent(T0, BASE.description, "Shenzhen, Guangdong, CN", "DA", S.IN_TRANSIT, "17track"),
        TrackingEvent(T0, BASE.description, "SHENZHEN", "1001", S.IN_TRANSIT, "yanwen"),
    ],
    ids=[
        "other-time-zone",
        "seconds-dropped",
        "other-case",
        "other-spacing-and-punctuation",
        "other-location-spelling",
        "other-source-and-raw-code",
    ],
)
def test_the_same_scan_relayed_differently_has_the_same_key(relay: TrackingEvent) -> None:
    # When / Then
    assert relay.key == BASE.key


@pytest.mark.parametrize(
    "other",
    [
        TrackingEvent(T0 + timedelta(minutes=1), BASE.description, "SHENZHEN", "DA", S.IN_TRANSIT, "4px"),
        TrackingEvent(T0 + timedelta(hours=8), BASE.description, "SHENZHEN", "DA", S.IN_TRANSIT, "4px"),
        TrackingEvent(T0, "Arrived at sorting center", "SHENZHEN", "DA", S.IN_TRANSIT, "4px"),
    ],
    ids=["a-minute-later", "same-clock-reading-in-utc-not-china-time", "other-words"],
)
def test_a_different_scan_has_a_different_key(other: TrackingEvent) -> None:
    # When / Then
    assert other.key != BASE.key


@pytest.mark.parametrize(
    "event",
    [
        BASE,
        TrackingEvent(T0.astimezone(CHINA), "Returned", "", "RT", S.EXCEPTION, "yanwen", is_return=True),
    ],
    ids=["utc-scan", "china-time-return"],
)
def test_an_event_survives_a_round_trip_through_its_dict(event: TrackingEvent) -> None:
    # When
    data = event.to_dict()
    back = TrackingEvent.from_dict(data)

    # Then
    assert str(data["at"]).endswith("Z")
    assert back == event  # equal instants compare equal whatever their zone
    assert back.at.utcoffset() == timedelta(0)


def test_an_event_dict_without_optional_fields_reads_as_empty_text() -> None:
    # Given
    data: dict[str, object] = {"at": "2025-03-01T08:00:30Z", "status": "in_transit", "location": None}

    # When
    event = TrackingEvent.from_dict(data)

    # Then
    assert (event.description, event.location, event.raw_status, event.source) == ("", "", "", "")
    assert event.is_return is False
    assert event.at == T0


# --- advance -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "candidate", "is_return", "expected"),
    [
        (S.PENDING, S.INFO_RECEIVED, False, S.INFO_RECEIVED),
        (S.PENDING, S.DELIVERED, False, S.DELIVERED),
        (S.INFO_RECEIVED, S.IN_TRANSIT, False, S.IN_TRANSIT),
        (S.IN_TRANSIT, S.OUT_FOR_DELIVERY, False, S.OUT_FOR_DELIVERY),
        (S.OUT_FOR_DELIVERY, S.DELIVERED, False, S.DELIVERED),
        (S.IN_TRANSIT, S.EXCEPTION, False, S.EXCEPTION),
        (S.EXCEPTION, S.IN_TRANSIT, False, S.IN_TRANSIT),
        (S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED, False, S.DELIVERY_FAILED),
        (S.DELIVERY_FAILED, S.OUT_FOR_DELIVERY, False, S.OUT_FOR_DELIVERY),
        (S.DELIVERY_FAILED, S.AVAILABLE_FOR_PICKUP, False, S.AVAILABLE_FOR_PICKUP),
        (S.IN_TRANSIT, S.IN_TRANSIT, False, S.IN_TRANSIT),
        (S.IN_TRANSIT, S.INFO_RECEIVED, False, S.IN_TRANSIT),
        (S.IN_TRANSIT, S.PENDING, False, S.IN_TRANSIT),
        (S.OUT_FOR_DELIVERY, S.IN_TRANSIT, False, S.OUT_FOR_DELIVERY),
        (S.OUT_FOR_DELIVERY, S.EXCEPTION, False, S.OUT_FOR_DELIVERY),
        (S.AVAILABLE_FOR_PICKUP, S.INFO_RECEIVED, False, S.AVAILABLE_FOR_PICKUP),
        (S.DELIVERED, S.OUT_FOR_DELIVERY, False, S.DELIVERED),
        (S.DELIVERED, S.EXCEPTION, False, S.DELIVERED),
        (S.OUT_FOR_DELIVERY, S.EXCEPTION, True, S.EXCEPTION),
        (S.OUT_FOR_DELIVERY, S.IN_TRANSIT, True, S.EXCEPTION),
        (S.DELIVERED, S.IN_TRANSIT, True, S.EXCEPTION),
        (S.EXCEPTION, S.DELIVERED, True, S.DELIVERED),
        (S.EXPIRED, S.IN_TRANSIT, False, S.IN_TRANSIT),
        (S.EXPIRED, S.INFO_RECEIVED, False, S.INFO_RECEIVED),
        (S.EXPIRED, S.EXPIRED, False, S.EXPIRED),
    ],
    ids=[
        "pending-to-info-received",
        "pending-straight-to-delivered",
        "info-received-to-in-transit",
        "in-transit-to-out-for-delivery",
        "out-for-delivery-to-delivered",
        "in-transit-to-exception-same-stage",
        "exception-released-to-in-transit",
        "out-for-delivery-to-failed-attempt",
        "failed-attempt-to-next-delivery-run",
        "failed-attempt-to-pickup-point",
        "same-status-stays",
        "late-info-received-does-not-regress",
        "pending-does-not-regress",
        "late-in-transit-does-not-regress-last-mile",
        "line-haul-exception-does-not-regress-last-mile",
        "pickup-does-not-regress-to-info-received",
        "delivered-does-not-regress",
        "delivered-ignores-a-non-return-exception",
        "return-becomes-exception",
        "return-scan-in-transit-becomes-exception",
        "return-after-delivery-becomes-exception",
        "return-delivered-to-sender-is-delivered",
        "news-after-expiry-is-taken",
        "early-news-after-expiry-is-taken",
        "expired-stays-expired",
    ],
)
def test_advance(
    current: TrackingStatus, candidate: TrackingStatus, is_return: bool, expected: TrackingStatus
) -> None:
    # When
    status = advance(current, candidate, is_return=is_return)

    # Then
    assert status is expected


@pytest.mark.parametrize("current", list(TrackingStatus), ids=lambda s: str(s))
@pytest.mark.parametrize("candidate", list(TrackingStatus), ids=lambda s: str(s))
def test_without_a_return_the_stage_never_goes_back_except_after_expiry(
    current: TrackingStatus, candidate: TrackingStatus
) -> None:
    # When
    status = advance(current, candidate)

    # Then
    assert status in (current, candidate)
    if current is not S.EXPIRED:
        assert STAGE[status] >= STAGE[current]


# --- merge ---------------------------------------------------------------------------------------


def test_merge_stores_an_answer_given_in_any_order_oldest_first() -> None:
    # Given
    info, departed, out = (
        scan(0, S.INFO_RECEIVED, raw="OR"),
        scan(5, S.IN_TRANSIT, raw="DA"),
        scan(30, S.OUT_FOR_DELIVERY, raw="OD"),
    )

    # When
    result = merge((), [out, info, departed], S.PENDING, "")

    # Then
    assert result.events == result.added == (info, departed, out)
    assert (result.status, result.raw_status) == (S.OUT_FOR_DELIVERY, "OD")


def test_merge_keeps_one_copy_of_a_scan_two_sources_relay_in_one_answer() -> None:
    # Given the same scan from 4PX (seconds, upper case) and 17TRACK (minutes, China time)
    ours = scan(1, S.IN_TRANSIT, "Departed Shenzhen hub", source="4px")
    relay = TrackingEvent(
        ours.at.replace(second=0).astimezone(CHINA),
        "departed shenzhen HUB",
        "Shenzhen",
        "10",
        S.IN_TRANSIT,
        "17t",
    )

    # When
    result = merge((), [relay, ours], S.PENDING, "")

    # Then
    assert len(result.events) == len(result.added) == 1


@pytest.mark.parametrize(
    "again",
    [
        lambda known: list(known),
        lambda known: list(reversed(known)),
        lambda known: [
            TrackingEvent(e.at.astimezone(CHINA), e.description.upper(), "", "x", e.status, "17t")
            for e in known
        ],
    ],
    ids=["same-answer", "reversed", "relayed-by-another-source"],
)
def test_merge_adds_nothing_for_scans_already_known(again: Relay) -> None:
    # Given
    known = (scan(0, S.INFO_RECEIVED), scan(5), scan(30, S.OUT_FOR_DELIVERY, raw="OD"))

    # When
    result = merge(known, again(known), S.OUT_FOR_DELIVERY, "OD")

    # Then
    assert result.added == ()
    assert result.events == known
    assert (result.status, result.raw_status) == (S.OUT_FOR_DELIVERY, "OD")


def test_merge_of_an_empty_answer_changes_nothing() -> None:
    # Given
    known = (scan(0, S.INFO_RECEIVED, raw="OR"),)

    # When
    result = merge(known, [], S.INFO_RECEIVED, "OR")

    # Then
    assert (result.events, result.added, result.status, result.raw_status) == (
        known,
        (),
        S.INFO_RECEIVED,
        "OR",
    )


def test_a_scan_filled_in_before_a_known_one_is_stored_in_its_place_without_moving_the_status_back() -> None:
    # Given out for delivery is known; a source now reports the line-haul scan the other one missed
    known = (scan(0, S.INFO_RECEIVED, raw="OR"), scan(30, S.OUT_FOR_DELIVERY, raw="OD"))
    missed = scan(10, S.IN_TRANSIT, raw="DA")

    # When
    result = merge(known, [missed], S.OUT_FOR_DELIVERY, "OD")

    # Then
    assert result.added == (missed,)
    assert result.events == (known[0], missed, known[1])
    assert (result.status, result.raw_status) == (S.OUT_FOR_DELIVERY, "OD")


def test_a_last_mile_scan_filled_in_late_does_not_override_the_newer_one() -> None:
    # Given a failed attempt then a pickup point are known; the first delivery run arrives late
    known = (
        scan(0, S.IN_TRANSIT, raw="DA"),
        scan(20, S.DELIVERY_FAILED, raw="DF"),
        scan(30, S.AVAILABLE_FOR_PICKUP, raw="AP"),
    )
    first_run = scan(18, S.OUT_FOR_DELIVERY, raw="OD")

    # When
    result = merge(known, [first_run], S.AVAILABLE_FOR_PICKUP, "AP")

    # Then: the parcel is still waiting at the pickup point, as its newest scan says
    assert result.added == (first_run,)
    assert (result.status, result.raw_status) == (S.AVAILABLE_FOR_PICKUP, "AP")


def test_the_status_does_not_depend_on_the_order_the_scans_arrived_in() -> None:
    # Given a journey with a failed attempt and a second run
    journey = [
        scan(0, S.INFO_RECEIVED, raw="OR"),
        scan(8, S.IN_TRANSIT, raw="DA"),
        scan(40, S.OUT_FOR_DELIVERY, raw="OD"),
        scan(44, S.DELIVERY_FAILED, raw="DF"),
        scan(64, S.OUT_FOR_DELIVERY, "second run", raw="OD2"),
    ]
    at_once = merge((), journey, S.PENDING, "")

    # When the scans come newest first, one answer at a time
    step = merge((), [], S.PENDING, "")
    for event in reversed(journey):
        step = merge(step.events, [event], step.status, step.raw_status)

    # Then
    assert step.events == at_once.events
    assert (
        (step.status, step.raw_status) == (at_once.status, at_once.raw_status) == (S.OUT_FOR_DELIVERY, "OD2")
    )


def test_a_return_moves_the_status_back_to_exception_and_the_return_leg_goes_on() -> None:
    # Given a parcel out for delivery
    known = (scan(0, S.IN_TRANSIT, raw="DA"), scan(30, S.OUT_FOR_DELIVERY, raw="OD"))
    returned = scan(40, S.EXCEPTION, "Refused, returning to sender", raw="RT", is_return=True)
    back = scan(50, S.IN_TRANSIT, "Departed to origin", raw="DA")

    # When
    result = merge(known, [back, returned], S.OUT_FOR_DELIVERY, "OD")

    # Then
    assert result.added == (returned, back)
    assert (result.status, result.raw_status) == (S.IN_TRANSIT, "DA")


def test_a_return_with_a_non_exception_status_keeps_its_raw_code() -> None:
    # Given
    known = (scan(30, S.OUT_FOR_DELIVERY, raw="OD"),)
    returned = scan(40, S.IN_TRANSIT, "Return to sender", raw="RTS", is_return=True)

    # When
    result = merge(known, [returned], S.OUT_FOR_DELIVERY, "OD")

    # Then
    assert (result.status, result.raw_status) == (S.EXCEPTION, "RTS")


def test_a_late_scan_refused_by_its_stage_keeps_the_raw_status_of_the_newest_accepted_one() -> None:
    # Given
    known = (scan(30, S.DELIVERED, raw="OK"),)

    # When an older in-transit scan arrives
    result = merge(known, [scan(10, S.IN_TRANSIT, raw="DA")], S.DELIVERED, "OK")

    # Then
    assert (result.status, result.raw_status) == (S.DELIVERED, "OK")
    assert [e.raw_status for e in result.events] == ["DA", "OK"]
