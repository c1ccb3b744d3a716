"""Yanwen tracking on the wire: the query, local times to UTC, the status table, and every answer shape."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from crossdock.carriers.yanwen.spec import MAX_NUMBERS
from crossdock.carriers.yanwen.wire import (
    DEFAULT_ZONE,
    RETURNS,
    STATUSES,
    answers,
    event,
    headers,
    status_of,
    tracking_url,
    utc_time,
    zone,
)
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.tracking.rules.parcel import Found, Missing
from crossdock.tracking.rules.status import TrackingStatus

# The contract's example answer (api-contracts §6.2).
CONTRACT_ANSWER: dict[str, Any] = {
    "code": 0,
    "message": "success",
    "result": [
        {
            "tracking_number": "UH183870291YP",
            "waybill_number": "UH183870291YP",
            "exchange_number": "0034043451",
            "tracking_status": "LM40",
            "tracking_status_waybill": {"level1": "8", "level2": "7", "level3": "LM54"},
            "last_mile_tracking_expected": True,
            "origin_country": "CN",
            "destination_country": "DE",
            "checkpoints": [
                {
                    "time_stamp": "2023-04-26T09:52:37",
                    "time_zone": "+02",
                    "tracking_status": "LM40",
                    "message": "Delivered",
                    "location": "Rodgau",
                    "is_last_mile_checkpoint": 1,
                    "extraProperties": None,
                }
            ],
        }
    ],
    "requestTime": "2023-05-11T18:14:01.16+08:00",
    "elapsedMilliseconds": {"total": 155},
}


def reply(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
    response.headers.update({"Content-Type": "application/json", **(headers or {})})
    return response


def envelope(*items: dict[str, Any]) -> dict[str, Any]:
    return {"code": 0, "message": "success", "result": list(items), "elapsedMilliseconds": {"total": 3}}


def item(number: str, status: str, *checkpoints: dict[str, Any]) -> dict[str, Any]:
    return {
        "tracking_number": number,
        "waybill_number": number,
        "tracking_status": status,
        "checkpoints": list(checkpoints),
    }


def checkpoint(code: str, stamp: str = "2025-03-01T10:00:00", tz: str = "+08") -> dict[str, Any]:
    return {
        "time_stamp": stamp,
        "time_zone": tz,
        "tracking_status": code,
        "message": f"scan {code}",
        "location": "SZ",
    }


# -- the request ------------------------------------------------------------------------------------------
def test_the_query_lists_the_numbers_comma_separated_under_nums() -> None:
    # When
    url = tracking_url("http://api.track.yw56.com.cn/", ["UH183870291YP", "UH183870292YP"])

    # Then: the documented path, literal commas
    assert url == "http://api.track.yw56.com.cn/api/tracking?nums=UH183870291YP,UH183870292YP"


@pytest.mark.parametrize("count", [0, MAX_NUMBERS + 1])
def test_a_query_never_carries_more_than_thirty_numbers_or_none(count: int) -> None:
    # Given
    numbers = [f"UH{i:09d}YP" for i in range(count)]

    # When / Then
    with pytest.raises(ValueError, match=r"1\.\.30"):
        tracking_url("http://x", numbers)


def test_the_merchant_number_is_the_raw_authorization_header_without_a_scheme() -> None:
    assert headers("YW00123456")["Authorization"] == "YW00123456"


# -- time -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stamp", "tz", "expected"),
    [
        ("2023-04-26T09:52:37", "+02", datetime(2023, 4, 26, 7, 52, 37, tzinfo=UTC)),
        ("2023-04-26T21:10:00", "-05", datetime(2023, 4, 27, 2, 10, 0, tzinfo=UTC)),
        ("2023-04-26T03:00:00", "+08", datetime(2023, 4, 25, 19, 0, 0, tzinfo=UTC)),
        ("2023-04-26T12:00:00", "+05:30", datetime(2023, 4, 26, 6, 30, 0, tzinfo=UTC)),
        ("2023-04-26T12:00:00", "+0530", datetime(2023, 4, 26, 6, 30, 0, tzinfo=UTC)),
        ("2023-04-26T12:00:00", "UTC+8", datetime(2023, 4, 26, 4, 0, 0, tzinfo=UTC)),
        ("2023-04-26T12:00:00", "Z", datetime(2023, 4, 26, 12, 0, 0, tzinfo=UTC)),
        ("2023-04-26 12:00:00.250", "+00", datetime(2023, 4, 26, 12, 0, 0, 250000, tzinfo=UTC)),
    ],
)
def test_a_local_time_stamp_becomes_utc_with_the_checkpoints_time_zone(
    stamp: str, tz: str, expected: datetime
) -> None:
    # When
    at = utc_time(stamp, tz)

    # Then
    assert at == expected
    assert at.tzinfo is UTC


def test_a_stamp_carrying_its_own_offset_keeps_it() -> None:
    assert utc_time("2023-04-26T09:52:37+02:00", "+08") == datetime(2023, 4, 26, 7, 52, 37, tzinfo=UTC)


def test_a_checkpoint_without_a_time_zone_is_read_as_china_time() -> None:
    # When
    at = utc_time("2025-03-01T10:00:00", None)

    # Then
    assert zone("") is DEFAULT_ZONE
    assert at == datetime(2025, 3, 1, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("tz", ["+15", "+08:75", "CET", "8 hours"])
def test_a_time_zone_that_cannot_be_placed_is_an_error_not_a_guess(tz: str) -> None:
    with pytest.raises(ValueError, match="time_zone"):
        zone(tz)


# -- the status table -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("OR10", TrackingStatus.INFO_RECEIVED),
        ("PU10", TrackingStatus.IN_TRANSIT),
        ("LH20", TrackingStatus.IN_TRANSIT),
        ("LM10", TrackingStatus.IN_TRANSIT),
        ("IC50", TrackingStatus.IN_TRANSIT),
        ("LM25", TrackingStatus.OUT_FOR_DELIVERY),
        ("LM30", TrackingStatus.AVAILABLE_FOR_PICKUP),
        ("LM50", TrackingStatus.DELIVERY_FAILED),
        ("LM40", TrackingStatus.DELIVERED),
        ("LM90", TrackingStatus.EXCEPTION),
        ("LM54", TrackingStatus.EXCEPTION),
    ],
)
def test_native_codes_map_to_the_unified_status_and_keep_the_raw_code(
    code: str, status: TrackingStatus
) -> None:
    # When
    scan = event(checkpoint(code))

    # Then
    assert scan.status is status
    assert scan.raw_status == code
    assert scan.source == "yanwen"
    assert scan.is_return is (code == "LM54")


def test_return_inbound_is_the_only_return_code_and_it_is_in_the_table() -> None:
    assert {"LM54"} == RETURNS
    assert set(STATUSES) >= RETURNS


def test_an_unknown_code_reads_as_in_transit_with_the_raw_code_kept() -> None:
    # When
    scan = event(checkpoint("ZZ99"))

    # Then
    assert status_of("ZZ99") is TrackingStatus.IN_TRANSIT
    assert (scan.status, scan.raw_status) == (TrackingStatus.IN_TRANSIT, "ZZ99")


# -- answers per number -----------------------------------------------------------------------------------
def test_the_contract_example_is_a_delivered_scan_in_utc() -> None:
    # When
    got = answers(reply(CONTRACT_ANSWER), ["UH183870291YP"])

    # Then
    found = got["UH183870291YP"]
    assert isinstance(found, Found)
    assert found.raw_status == "LM40"
    (scan,) = found.events
    assert scan.at == datetime(2023, 4, 26, 7, 52, 37, tzinfo=UTC)
    assert (scan.description, scan.location, scan.status) == ("Delivered", "Rodgau", TrackingStatus.DELIVERED)


def test_each_number_gets_its_own_answer_from_one_response() -> None:
    # Given: a known parcel, a NOTFOUND one, one with a status but no checkpoints, one left out
    body = envelope(
        item("UH000000001YP", "LH20", checkpoint("OR10", "2025-03-01T08:00:00"), checkpoint("LH20")),
        item("UH000000002YP", "NOTFOUND"),
        item("UH000000003YP", "PU10"),
    )
    numbers = ["UH000000001YP", "UH000000002YP", "UH000000003YP", "UH000000004YP"]

    # When
    got = answers(reply(body), numbers)

    # Then
    assert isinstance(got["UH000000001YP"], Found)
    assert [e.raw_status for e in got["UH000000001YP"].events] == ["OR10", "LH20"]
    assert got["UH000000002YP"] == Missing("not_found", "NOTFOUND")
    assert got["UH000000003YP"] == Missing("empty", "tracking_status PU10 without checkpoints")
    assert got["UH000000004YP"] == Missing("empty", "not in the result")


@pytest.mark.parametrize("result", [[], None])
def test_a_success_envelope_without_results_leaves_every_number_empty(result: Any) -> None:
    # Given
    body = {"code": 0, "message": "success", "result": result}

    # When
    got = answers(reply(body), ["UH000000001YP", "UH000000002YP"])

    # Then: never Found(()) — the source said nothing about them
    assert all(a == Missing("empty", "not in the result") for a in got.values())


def test_an_answer_is_matched_on_the_waybill_or_last_mile_number_and_ignores_case() -> None:
    # Given: asked by the last-mile number, answered under Yanwen's own number
    answered = {**item("UH000000009YP", "LH20", checkpoint("LH20")), "exchange_number": "0034043451"}
    lower = item("uh000000008yp", "OR10", checkpoint("OR10"))

    # When
    got = answers(reply(envelope(answered, lower)), ["0034043451", "UH000000008YP"])

    # Then
    assert isinstance(got["0034043451"], Found)
    assert isinstance(got["UH000000008YP"], Found)


def test_a_checkpoint_whose_time_cannot_be_read_rejects_that_number_only() -> None:
    # Given
    body = envelope(
        item("UH000000001YP", "LH20", checkpoint("LH20", "26/04/2023 09:52")),
        item("UH000000002YP", "LH20", checkpoint("LH20", tz="Europe/Berlin")),
        item("UH000000003YP", "LH20", checkpoint("LH20")),
    )

    # When
    got = answers(reply(body), ["UH000000001YP", "UH000000002YP", "UH000000003YP"])

    # Then
    assert isinstance(got["UH000000001YP"], Missing) and got["UH000000001YP"].reason == "rejected"
    assert isinstance(got["UH000000002YP"], Missing) and got["UH000000002YP"].reason == "rejected"
    assert isinstance(got["UH000000003YP"], Found)


# -- whole-call faults ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (
            reply({"code": 1, "message": "System busy, please try again later", "result": None}),
            InvalidResponseError,
        ),
        (reply({"code": "1", "message": ""}), InvalidResponseError),
        (reply({"code": 1, "message": "Invalid Authorization: unknown merchant number"}), AuthError),
        (reply({"code": 1, "message": "授权失败"}), AuthError),
        (reply({"message": "success", "result": []}), InvalidResponseError),
        (reply([]), InvalidResponseError),
        (reply({"code": 0, "message": "success", "result": {"x": 1}}), InvalidResponseError),
        (reply({"code": 0, "message": "success", "result": ["UH1"]}), InvalidResponseError),
        (reply("<html><body>Gateway maintenance</body></html>"), InvalidResponseError),
        (reply({"code": 1, "message": "Unauthorized"}, status=401), AuthError),
        (
            reply({"code": 1, "message": "Too many requests"}, status=429, headers={"Retry-After": "1"}),
            ThrottledError,
        ),
        (reply("<html>502</html>", status=502), RetryableError),
        (reply({"code": 1, "message": "bad request"}, status=400), RequestRejectedError),
    ],
)
def test_whole_call_faults_map_to_one_typed_error(
    response: requests.Response, expected: type[ChannelError]
) -> None:
    # When / Then: exactly that type
    with pytest.raises(ChannelError) as caught:
        answers(response, ["UH000000001YP"])
    assert type(caught.value) is expected


def test_a_code_given_as_a_string_zero_is_success() -> None:
    # Given
    body = {**envelope(item("UH000000001YP", "OR10", checkpoint("OR10"))), "code": "0"}

    # When / Then
    assert isinstance(answers(reply(body), ["UH000000001YP"])["UH000000001YP"], Found)
