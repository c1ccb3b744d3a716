"""The supplier freshness gate: every time format the platform uses read as the same instant (China
time when no offset is stated) whatever the process's own time zone; and each rejection — missing,
unparseable, stale, future — with its own reason, at the exact 60-minute and 5-minute boundaries."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from crossdock.suppliers.rules.freshness import (
    CHINA,
    Freshness,
    Rejection,
    UnparseableTime,
    check_freshness,
    describe_age,
    parse_supplier_time,
)
from hypothesis import given, settings
from hypothesis import strategies as st

BEIJING = timezone(timedelta(hours=8))  # the test's own China offset, not the module's
AT = datetime(2025, 3, 9, 10, 30, 15, 123_000, tzinfo=UTC)  # = 2025-03-09 18:30:15.123 in China
AT_S = AT.replace(microsecond=0)
NOW = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)
HOUR = timedelta(minutes=60)
ZONES = {"UTC": timedelta(0), "America/Los_Angeles": timedelta(hours=-8), "Asia/Shanghai": timedelta(hours=8)}


@pytest.fixture(params=sorted(ZONES))
def process_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test with the process (as a Lambda or a laptop would be) in another local time zone."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    try:
        winter_offset = datetime(2025, 1, 15, 12, 0).astimezone().utcoffset()
        assert winter_offset == ZONES[request.param], "the fixture did not change the local zone"
        yield request.param
    finally:
        monkeypatch.undo()
        time.tzset()


def compact(at: datetime, offset: str = "+0800") -> str:
    """1688's `yyyyMMddHHmmssSSS+0800`, written by the test itself."""
    local = at.astimezone(BEIJING)
    return local.strftime("%Y%m%d%H%M%S") + f"{local.microsecond // 1000:03d}" + offset


# --- every format ---------------------------------------------------------------------------------

FORMATS = [
    ("compact_ms_china_offset", "20250309183015123+0800", AT),
    ("compact_ms_utc_offset", "20250309103015123+0000", AT),
    ("compact_ms_negative_offset", "20250309033015123-0700", AT),
    ("compact_ms_half_hour_offset", "20250309160015123+0530", AT),
    ("compact_ms_no_offset_is_china", "20250309183015123", AT),
    ("compact_seconds_is_china", "20250309183015", AT_S),
    ("compact_seconds_with_offset", "20250309183015+0800", AT_S),
    ("dashed_seconds_is_china", "2025-03-09 18:30:15", AT_S),
    ("dashed_ms_is_china", "2025-03-09 18:30:15.123", AT),
    ("dashed_with_offset", "2025-03-09 18:30:15 +0800", AT_S),
    ("iso_z", "2025-03-09T10:30:15Z", AT_S),
    ("iso_ms_z", "2025-03-09T10:30:15.123Z", AT),
    ("iso_lowercase_z", "2025-03-09t10:30:15.123z", AT),
    ("iso_china_offset", "2025-03-09T18:30:15.123+08:00", AT),
    ("iso_offset_without_colon", "2025-03-09T18:30:15.123+0800", AT),
    ("iso_hour_only_offset", "2025-03-09T18:30:15.123+08", AT),
    ("iso_negative_offset", "2025-03-09T03:30:15.123-07:00", AT),
    ("iso_no_offset_is_china", "2025-03-09T18:30:15.123", AT),
    ("iso_microseconds", "2025-03-09T10:30:15.123000Z", AT),
    ("iso_nanoseconds_truncated", "2025-03-09T10:30:15.123000999Z", AT),
    ("iso_comma_fraction", "2025-03-09T10:30:15,123Z", AT),
    ("epoch_ms_int", 1741516215123, AT),
    ("epoch_ms_string", "1741516215123", AT),
    ("epoch_ms_float", 1741516215123.0, AT),
    ("epoch_s_int", 1741516215, AT_S),
    ("epoch_s_string", "1741516215", AT_S),
    ("epoch_s_float_with_fraction", 1741516215.5, AT_S + timedelta(milliseconds=500)),
    ("compact_given_as_a_number", 20250309183015123, AT),
    ("surrounding_whitespace", "  20250309183015123+0800\n", AT),
]


@pytest.mark.parametrize(("value", "expected"), [c[1:] for c in FORMATS], ids=[c[0] for c in FORMATS])
def test_every_format_names_the_same_instant_in_any_process_zone(
    process_zone: str, value: str | int | float, expected: datetime
) -> None:
    # Given a supplier time in one of the platform's formats, and the process in `process_zone`
    # When
    parsed = parse_supplier_time(value)
    # Then: the same instant, in UTC
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


UNPARSEABLE = [
    ("words", "not a time"),
    ("null_word", "null"),
    ("date_only", "2025-03-09"),
    ("time_only", "18:30:15"),
    ("slashes", "2025/03/09 18:30:15"),
    ("minutes_only", "2025-03-09 18:30"),
    ("eight_digits", "20250309"),
    ("eleven_digits", "17415162151"),
    ("fifteen_digits", "202503091830151"),
    ("month_13", "20251309183015"),
    ("february_30", "2025-02-30 12:00:00"),
    ("hour_24", "2025-03-09 24:00:00"),
    ("offset_out_of_range", "2025-03-09T18:30:15+25:00"),
    ("offset_minutes_60", "20250309183015123+0860"),
    ("compact_short_offset", "20250309183015123+08"),
    ("non_ascii_digits", "١٧٤١٥١٦٢١٥"),
    ("full_width_digits", "２０２５０３０９１８３０１５"),
    ("before_year_one_in_utc", "0001-01-01 00:00:00"),
    ("trailing_text", "2025-03-09 18:30:15 CST"),
    ("boolean_true", True),
    ("boolean_false", False),
    ("negative_epoch", -1741516215),
    ("zero", 0),
    ("nan", math.nan),
    ("infinity", math.inf),
    ("fourteen_digit_number_not_a_date", 17415162151230),
    ("a_list", ["20250309183015"]),
]


@pytest.mark.parametrize("value", [c[1] for c in UNPARSEABLE], ids=[c[0] for c in UNPARSEABLE])
def test_garbage_is_unparseable_and_the_message_names_it(value: object) -> None:
    # When / Then
    with pytest.raises(UnparseableTime) as raised:
        parse_supplier_time(value)  # type: ignore[arg-type]
    assert repr(value) in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_none_does_not_parse() -> None:
    # When / Then
    with pytest.raises(UnparseableTime, match="None"):
        parse_supplier_time(None)


def test_china_is_utc_plus_8_and_named_cst() -> None:
    # Then
    assert CHINA.utcoffset(None) == timedelta(hours=8)
    assert CHINA.tzname(None) == "CST"
    assert [r.value for r in Rejection] == ["missing", "unparseable", "stale", "future"]


# --- the gate -------------------------------------------------------------------------------------

MISSING = [("none", None), ("empty", ""), ("space", " "), ("whitespace", "\t\n ")]


@pytest.mark.parametrize("value", [c[1] for c in MISSING], ids=[c[0] for c in MISSING])
def test_no_update_time_is_missing(value: str | None) -> None:
    # When
    verdict = check_freshness(value, now=NOW, limit=HOUR)
    # Then
    assert verdict == Freshness(False, Rejection.MISSING, None, None, "the supplier gave no update time")


@pytest.mark.parametrize(
    "value", ["garbage", "2025-13-01 00:00:00", "12345"], ids=["words", "month", "short"]
)
def test_an_unreadable_time_is_unparseable_and_named(value: str) -> None:
    # When
    verdict = check_freshness(value, now=NOW, limit=HOUR)
    # Then
    assert (verdict.fresh, verdict.reason, verdict.updated_at, verdict.age) == (
        False,
        Rejection.UNPARSEABLE,
        None,
        None,
    )
    assert repr(value) in verdict.detail


AGES = [  # (id, age of the data, limit, fresh?)
    ("just_now", timedelta(0), HOUR, True),
    ("59m59s", timedelta(minutes=59, seconds=59), HOUR, True),
    ("59m59.999s", timedelta(minutes=59, seconds=59, milliseconds=999), HOUR, True),
    ("60m00s_inclusive", timedelta(minutes=60), HOUR, True),
    ("60m00.001s", timedelta(minutes=60, milliseconds=1), HOUR, False),
    ("60m01s", timedelta(minutes=60, seconds=1), HOUR, False),
    ("61m", timedelta(minutes=61), HOUR, False),
    ("12h_cache", timedelta(hours=12), HOUR, False),
    ("special_119m59s", timedelta(minutes=119, seconds=59), timedelta(minutes=120), True),
    ("special_120m", timedelta(minutes=120), timedelta(minutes=120), True),
    ("special_120m01s", timedelta(minutes=120, seconds=1), timedelta(minutes=120), False),
    ("short_limit_31m", timedelta(minutes=31), timedelta(minutes=30), False),
]


@pytest.mark.parametrize(("age", "limit", "fresh"), [c[1:] for c in AGES], ids=[c[0] for c in AGES])
def test_the_limit_is_inclusive_to_the_millisecond(
    process_zone: str, age: timedelta, limit: timedelta, fresh: bool
) -> None:
    # Given 1688's own format, written in China time
    raw = compact(NOW - age)
    # When
    verdict = check_freshness(raw, now=NOW, limit=limit)
    # Then
    assert verdict.fresh is fresh
    assert verdict.reason is (None if fresh else Rejection.STALE)
    assert verdict.age == age
    assert verdict.updated_at == NOW - age


SKEWS = [  # (id, how far ahead of our clock, fresh?)
    ("1s_ahead", timedelta(seconds=1), True),
    ("4m59s_ahead", timedelta(minutes=4, seconds=59), True),
    ("5m00s_ahead_inclusive", timedelta(minutes=5), True),
    ("5m00.001s_ahead", timedelta(minutes=5, milliseconds=1), False),
    ("5m01s_ahead", timedelta(minutes=5, seconds=1), False),
    ("8h_ahead_china_time_read_as_utc", timedelta(hours=8), False),
]


@pytest.mark.parametrize(("ahead", "fresh"), [c[1:] for c in SKEWS], ids=[c[0] for c in SKEWS])
def test_a_time_ahead_of_our_clock_is_fresh_within_the_skew_then_future(
    process_zone: str, ahead: timedelta, fresh: bool
) -> None:
    # When
    verdict = check_freshness(compact(NOW + ahead), now=NOW, limit=HOUR)
    # Then
    assert verdict.fresh is fresh
    assert verdict.updated_at == NOW + ahead
    if fresh:
        assert (verdict.reason, verdict.age) == (None, timedelta(0))
    else:
        assert (verdict.reason, verdict.age) == (Rejection.FUTURE, None)


def test_the_skew_allowance_can_be_set() -> None:
    # When
    strict = check_freshness(compact(NOW + timedelta(seconds=1)), now=NOW, limit=HOUR, skew=timedelta(0))
    lenient = check_freshness(
        compact(NOW + timedelta(minutes=9)), now=NOW, limit=HOUR, skew=timedelta(minutes=10)
    )
    # Then
    assert strict.reason is Rejection.FUTURE
    assert lenient.fresh


DETAILS = [
    ("fresh", NOW - timedelta(minutes=12, seconds=30), "updated 12 min ago (2025-06-01T03:47:30.000Z)"),
    (
        "stale",
        NOW - timedelta(hours=3, minutes=5),
        "updated 3 h 5 min ago (2025-06-01T00:55:00.000Z), beyond the 1 h limit",
    ),
    (
        "stale_by_a_hair",
        NOW - timedelta(minutes=60, milliseconds=1),
        "updated just over 1 h ago (2025-06-01T02:59:59.999Z), beyond the 1 h limit",
    ),
    (
        "future",
        NOW + timedelta(minutes=7),
        "update time 2025-06-01T04:07:00.000Z is 7 min ahead of now, beyond the 5 min clock-skew allowance",
    ),
]


@pytest.mark.parametrize(("updated", "detail"), [c[1:] for c in DETAILS], ids=[c[0] for c in DETAILS])
def test_each_verdict_explains_itself(updated: datetime, detail: str) -> None:
    # When
    verdict = check_freshness(compact(updated), now=NOW, limit=HOUR)
    # Then
    assert verdict.detail == detail


# --- time zones and daylight saving -----------------------------------------------------------------

# Los Angeles springs forward at 2025-03-09 10:00 UTC and falls back at 2025-11-02 09:00 UTC.
DST = [
    ("la_spring_forward", "2025-03-09 17:30:00", datetime(2025, 3, 9, 10, 30, tzinfo=UTC)),
    ("la_fall_back", "2025-11-02 16:30:00", datetime(2025, 11, 2, 9, 30, tzinfo=UTC)),
    ("china_digits_in_la_gap", "20250309023000000", datetime(2025, 3, 9, 2, 30, tzinfo=BEIJING) + HOUR),
    ("china_digits_in_la_overlap", "20251102013000000", datetime(2025, 11, 2, 1, 30, tzinfo=BEIJING) + HOUR),
]


@pytest.mark.parametrize(("raw", "now"), [c[1:] for c in DST], ids=[c[0] for c in DST])
def test_an_hour_is_an_hour_across_the_process_zones_daylight_saving_change(
    process_zone: str, raw: str, now: datetime
) -> None:
    # Given data stamped exactly one hour before `now`, across a DST change of the process's zone
    # When
    verdict = check_freshness(raw, now=now, limit=HOUR)
    # Then: exactly 60 minutes old, so still fresh
    assert verdict.fresh
    assert verdict.age == HOUR


def test_now_in_any_zone_gives_the_same_verdict() -> None:
    # Given
    raw = compact(NOW - timedelta(minutes=61))
    zones = [UTC, BEIJING, timezone(timedelta(hours=-7))]
    # When
    verdicts = [check_freshness(raw, now=NOW.astimezone(zone), limit=HOUR) for zone in zones]
    # Then
    assert {(v.reason, v.age) for v in verdicts} == {(Rejection.STALE, timedelta(minutes=61))}


def test_a_naive_now_is_refused() -> None:
    # When / Then
    with pytest.raises(ValueError, match="naive"):
        check_freshness("20250309183015123+0800", now=datetime(2025, 3, 9, 12), limit=HOUR)


# --- ages as purchasing reads them ------------------------------------------------------------------

AGE_TEXT = [
    ("zero", timedelta(0), "0 s"),
    ("negative", timedelta(seconds=-5), "0 s"),
    ("seconds", timedelta(seconds=45), "45 s"),
    ("minutes_floored", timedelta(minutes=12, seconds=59), "12 min"),
    ("59m59s", timedelta(minutes=59, seconds=59), "59 min"),
    ("hour", timedelta(minutes=60), "1 h"),
    ("hour_and_minute", timedelta(minutes=61), "1 h 1 min"),
    ("hours_minutes", timedelta(hours=3, minutes=5), "3 h 5 min"),
    ("twelve_hours", timedelta(hours=12), "12 h"),
    ("day_and_hours", timedelta(hours=26, minutes=40), "1 d 2 h"),
    ("days", timedelta(days=2), "2 d"),
]


@pytest.mark.parametrize(("age", "text"), [c[1:] for c in AGE_TEXT], ids=[c[0] for c in AGE_TEXT])
def test_describe_age(age: timedelta, text: str) -> None:
    # When / Then
    assert describe_age(age) == text


# --- properties -----------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2001, 9, 10), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
).map(lambda at: at.replace(microsecond=at.microsecond // 1000 * 1000))
offsets = st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q)))


def written(at: datetime, zone: timezone) -> list[str | int]:
    """The instant in every format, each written by the test with `zone` where a format states one."""
    local, china = at.astimezone(zone), at.astimezone(BEIJING)
    millis = f"{local.microsecond // 1000:03d}"
    sign, rest = (
        ("-", -zone.utcoffset(None)) if zone.utcoffset(None) < timedelta(0) else ("+", zone.utcoffset(None))
    )
    hhmm = f"{sign}{rest.seconds // 3600:02d}{rest.seconds % 3600 // 60:02d}"
    return [
        local.strftime("%Y%m%d%H%M%S") + millis + hhmm,
        china.strftime("%Y%m%d%H%M%S") + f"{china.microsecond // 1000:03d}",
        china.strftime("%Y-%m-%d %H:%M:%S.") + f"{china.microsecond // 1000:03d}",
        local.isoformat(timespec="milliseconds"),
        china.replace(tzinfo=None).isoformat(timespec="milliseconds"),
        epoch_ms(at),
        str(epoch_ms(at)),
    ]


def epoch_ms(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(milliseconds=1)


@settings(max_examples=300, deadline=None)
@given(at=instants, zone=offsets)
def test_property_every_written_form_reads_back_as_the_instant(at: datetime, zone: timezone) -> None:
    # Given the instant written in every format
    # When
    parsed = {parse_supplier_time(text) for text in written(at, zone)}
    # Then
    assert parsed == {at}


@settings(max_examples=300, deadline=None)
@given(age_ms=st.integers(min_value=-3_600_000, max_value=4 * 3_600_000), limit_min=st.integers(1, 120))
def test_property_fresh_exactly_between_skew_ahead_and_limit_behind(age_ms: int, limit_min: int) -> None:
    # Given
    age, limit, skew = timedelta(milliseconds=age_ms), timedelta(minutes=limit_min), timedelta(minutes=5)
    # When
    verdict = check_freshness(epoch_ms(NOW) - age_ms, now=NOW, limit=limit)
    # Then
    assert verdict.fresh is (-skew <= age <= limit)
    expected = None if verdict.fresh else (Rejection.FUTURE if age < -skew else Rejection.STALE)
    assert verdict.reason is expected
