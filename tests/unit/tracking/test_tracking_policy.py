"""The tracking schedule and patience: the next check by status (every 30 minutes while every source
fails; never again once delivered or expired), expiry after 30 days without news, a stall flagged once
after 72 hours (or the carrier's own limit), and the line customer service reads to a buyer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from crossdock.tracking.rules.parcel import Found, Parcel, judge, with_news
from crossdock.tracking.rules.policy import FOLLOW_UP_LINE, TrackingPolicy, status_line
from crossdock.tracking.rules.status import TrackingEvent, TrackingStatus

S = TrackingStatus
H = timedelta(hours=1)
D = timedelta(days=1)
HANDED = datetime(2025, 3, 1, 6, 0, tzinfo=UTC)
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
POLICY = TrackingPolicy()


def scan(
    at: datetime, status: TrackingStatus = S.IN_TRANSIT, text: str = "Departed", where: str = "SHENZHEN"
) -> TrackingEvent:
    return TrackingEvent(at, text, where, str(status).upper(), status, "4px")


def parcel(
    *events: TrackingEvent, status: TrackingStatus | None = None, carrier: str = "4px", **changes: object
) -> Parcel:
    base = Parcel(
        tracking_number="4PX3000123456789CN",
        carrier=carrier,
        registered_at=HANDED,
        handed_over_at=HANDED,
        events=tuple(events),
        status=status or (events[-1].status if events else S.PENDING),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --- next check ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "after"),
    [
        (S.PENDING, 3 * H),
        (S.INFO_RECEIVED, 6 * H),
        (S.IN_TRANSIT, 4 * H),
        (S.OUT_FOR_DELIVERY, 1 * H),
        (S.DELIVERY_FAILED, 2 * H),
        (S.AVAILABLE_FOR_PICKUP, 6 * H),
        (S.EXCEPTION, 1 * H),
    ],
    ids=lambda v: str(v) if isinstance(v, TrackingStatus) else f"{v.total_seconds() / 3600:g}h",
)
def test_the_next_check_depends_on_the_status(status: TrackingStatus, after: timedelta) -> None:
    # Given
    p = parcel(status=status)

    # When
    due = POLICY.next_check(p, NOW)

    # Then
    assert due == NOW + after


@pytest.mark.parametrize("status", [S.DELIVERED, S.EXPIRED], ids=str)
@pytest.mark.parametrize("following_up", [False, True], ids=["healthy", "following-up"])
def test_a_delivered_or_expired_parcel_is_not_checked_again(
    status: TrackingStatus, following_up: bool
) -> None:
    # Given
    p = parcel(status=status, follow_up_since=NOW - H if following_up else None)

    # When / Then
    assert POLICY.next_check(p, NOW) is None


@pytest.mark.parametrize("status", [S.PENDING, S.INFO_RECEIVED, S.IN_TRANSIT, S.EXCEPTION], ids=str)
def test_while_every_source_fails_the_parcel_is_checked_every_30_minutes(status: TrackingStatus) -> None:
    # Given
    p = parcel(status=status, follow_up_since=NOW - 5 * H)

    # When / Then
    assert POLICY.next_check(p, NOW) == NOW + timedelta(minutes=30)


def test_a_status_missing_from_a_custom_schedule_is_checked_every_4_hours() -> None:
    # Given
    policy = TrackingPolicy(check_every={S.IN_TRANSIT: 12 * H})

    # When / Then
    assert policy.next_check(parcel(status=S.IN_TRANSIT), NOW) == NOW + 12 * H
    assert policy.next_check(parcel(status=S.OUT_FOR_DELIVERY), NOW) == NOW + 4 * H


# --- expiry --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "handed_over", "expires"),
    [
        ((), NOW - 29 * D, False),
        ((), NOW - 30 * D, True),
        ((), NOW - 45 * D, True),
        ((scan(NOW - 30 * D + timedelta(minutes=1)),), NOW - 40 * D, False),
        ((scan(NOW - 30 * D),), NOW - 40 * D, True),
        ((scan(NOW - 2 * D),), NOW - 90 * D, False),
    ],
    ids=[
        "no-scan-handed-over-29-days-ago",
        "no-scan-handed-over-30-days-ago",
        "no-scan-handed-over-45-days-ago",
        "last-scan-a-minute-short-of-30-days",
        "last-scan-30-days-ago",
        "last-scan-2-days-ago-of-an-old-parcel",
    ],
)
def test_a_parcel_expires_after_30_days_without_news(
    events: tuple[TrackingEvent, ...], handed_over: datetime, expires: bool
) -> None:
    # Given
    p = parcel(*events, handed_over_at=handed_over)

    # When
    after = POLICY.expire_if_silent(p, NOW)

    # Then
    if expires:
        assert (after.status, after.raw_status, after.final) == (S.EXPIRED, "crossdock:expired", True)
        assert POLICY.next_check(after, NOW) is None
        assert after.events == p.events
    else:
        assert after == p


def test_a_delivered_parcel_never_expires() -> None:
    # Given
    p = parcel(scan(NOW - 60 * D, S.DELIVERED), handed_over_at=NOW - 70 * D)

    # When / Then
    assert POLICY.expire_if_silent(p, NOW) == p


def test_a_parcel_every_source_fails_on_still_expires_after_30_days_without_news() -> None:
    # Given
    p = parcel(scan(NOW - 31 * D), follow_up_since=NOW - 20 * D, escalated_at=NOW - 19 * D)

    # When
    after = POLICY.expire_if_silent(p, NOW)

    # Then
    assert after.status is S.EXPIRED


# --- stall ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("carrier", "quiet", "stalls"),
    [
        ("4px", 71 * H, False),
        ("4px", 72 * H - timedelta(seconds=1), False),
        ("4px", 72 * H, True),
        ("4px", 100 * H, True),
        ("sea", 100 * H, False),
        ("sea", 10 * D, True),
    ],
    ids=[
        "71h-quiet",
        "a-second-short-of-72h",
        "72h-quiet",
        "100h-quiet",
        "100h-quiet-on-a-slow-carrier",
        "10-days-quiet-on-a-slow-carrier",
    ],
)
def test_a_parcel_without_a_new_scan_for_its_carriers_limit_is_flagged(
    carrier: str, quiet: timedelta, stalls: bool
) -> None:
    # Given
    policy = TrackingPolicy(stall_after_by_carrier={"sea": 10 * D})
    last = scan(NOW - quiet)
    p = parcel(scan(NOW - 20 * D, S.INFO_RECEIVED), last, carrier=carrier, handed_over_at=NOW - 20 * D)

    # When
    after = policy.notice_stall(p, NOW)

    # Then
    if stalls:
        assert (after.stalled_since, after.stall_reported) == (last.at, False)
    else:
        assert after == p


def test_a_parcel_without_any_scan_stalls_from_its_hand_over() -> None:
    # Given
    p = parcel(handed_over_at=NOW - 80 * H)

    # When
    after = POLICY.notice_stall(p, NOW)

    # Then
    assert after.stalled_since == NOW - 80 * H


@pytest.mark.parametrize("status", [S.DELIVERED, S.EXPIRED], ids=str)
def test_a_final_parcel_never_stalls(status: TrackingStatus) -> None:
    # Given
    p = parcel(scan(NOW - 10 * D, status))

    # When / Then
    assert POLICY.notice_stall(p, NOW) == p


def test_a_stall_is_flagged_once_however_often_it_is_noticed() -> None:
    # Given a stall noticed, then reported by the planner
    last = scan(NOW - 80 * H)
    flagged = POLICY.notice_stall(parcel(last), NOW)
    reported = replace(flagged, stall_reported=True)

    # When noticed again on later checks
    later = POLICY.notice_stall(POLICY.notice_stall(reported, NOW + 4 * H), NOW + 3 * D)

    # Then
    assert later == reported
    assert (later.stalled_since, later.stall_reported) == (last.at, True)


def test_a_new_scan_ends_the_stall_and_the_next_stall_is_flagged_anew() -> None:
    # Given a reported stall
    last = scan(NOW - 80 * H)
    p = replace(POLICY.notice_stall(parcel(last), NOW), stall_reported=True)
    newer = scan(NOW + H, S.OUT_FOR_DELIVERY, "Out for delivery")

    # When a newer scan comes, then 72 more quiet hours pass
    judgement = judge(p, Found((last, newer)), now=NOW + 2 * H, should_know_after=POLICY.should_know_after)
    moved = with_news(p, judgement, source="4px", now=NOW + 2 * H)
    again = POLICY.notice_stall(moved, NOW + H + 72 * H)

    # Then
    assert (moved.stalled_since, moved.stall_reported) == (None, False)
    assert (again.stalled_since, again.stall_reported) == (newer.at, False)


# --- the customer's line -------------------------------------------------------------------------

LAST = scan(datetime(2025, 3, 9, 7, 5, tzinfo=UTC), S.IN_TRANSIT, "Departed from sorting center", "SHENZHEN")
WHEN = "(09 Mar 07:05 UTC)."


@pytest.mark.parametrize(
    ("status", "events", "line"),
    [
        (S.PENDING, (), "Shipping label created; waiting for the carrier's first scan."),
        (
            S.INFO_RECEIVED,
            (),
            "The carrier has the shipment details and is waiting to receive the parcel.",
        ),
        (S.IN_TRANSIT, (LAST,), f"In transit — Departed from sorting center, SHENZHEN {WHEN}"),
        (
            S.IN_TRANSIT,
            (replace(LAST, location=""),),
            f"In transit — Departed from sorting center {WHEN}",
        ),
        (S.OUT_FOR_DELIVERY, (LAST,), f"Out for delivery — Departed from sorting center, SHENZHEN {WHEN}"),
        (
            S.DELIVERY_FAILED,
            (LAST,),
            "Delivery attempt failed; the carrier will try again or leave a notice — "
            f"Departed from sorting center, SHENZHEN {WHEN}",
        ),
        (
            S.AVAILABLE_FOR_PICKUP,
            (LAST,),
            f"Ready for pickup — Departed from sorting center, SHENZHEN {WHEN}",
        ),
        (S.DELIVERED, (LAST,), f"Delivered — Departed from sorting center, SHENZHEN {WHEN}"),
        (
            S.EXCEPTION,
            (LAST,),
            "The carrier reported a problem; our staff are looking into it — "
            f"Departed from sorting center, SHENZHEN {WHEN}",
        ),
        (S.PENDING, (LAST,), "Shipping label created; waiting for the carrier's first scan."),
        (
            S.EXPIRED,
            (LAST,),
            "No carrier update for 30 days; our staff are following up with the carrier.",
        ),
    ],
    ids=[
        "pending",
        "info-received-without-scan",
        "in-transit-with-scan",
        "in-transit-scan-without-location",
        "out-for-delivery",
        "delivery-failed",
        "available-for-pickup",
        "delivered",
        "exception",
        "pending-hides-the-scan",
        "expired-hides-the-scan",
    ],
)
def test_status_line(status: TrackingStatus, events: tuple[TrackingEvent, ...], line: str) -> None:
    # Given
    p = parcel(*events, status=status)

    # When / Then
    assert status_line(p, NOW) == line


def test_while_every_source_fails_the_buyer_is_told_staff_follow_up() -> None:
    # Given a parcel also stalled: the follow-up says more than the stall
    p = parcel(LAST, follow_up_since=NOW - H, stalled_since=LAST.at)

    # When
    line = status_line(p, NOW)

    # Then
    assert line == f"{FOLLOW_UP_LINE} Last known: In transit — Departed from sorting center, SHENZHEN {WHEN}"


def test_a_stalled_parcel_tells_how_many_days_without_an_update() -> None:
    # Given
    p = parcel(LAST, stalled_since=LAST.at)

    # When
    line = status_line(p, LAST.at + 4 * D + 3 * H)

    # Then
    assert line == (
        "No carrier update for 4 days; our staff are following up with the carrier. "
        f"Last known: In transit — Departed from sorting center, SHENZHEN {WHEN}"
    )


def test_a_delivered_parcel_is_not_shown_stalled() -> None:
    # Given
    p = parcel(replace(LAST, status=S.DELIVERED), stalled_since=LAST.at)

    # When / Then
    assert status_line(p, NOW).startswith("Delivered — ")


def test_an_expired_parcel_says_staff_follow_up_once() -> None:
    # Given a parcel no source answered for its last checks, expired by the refresh that failed
    p = POLICY.expire_if_silent(
        parcel(LAST, follow_up_since=NOW - H, stalled_since=LAST.at), LAST.at + 31 * D
    )

    # When
    line = status_line(p, LAST.at + 31 * D)

    # Then
    assert line == "No carrier update for 30 days; our staff are following up with the carrier."
