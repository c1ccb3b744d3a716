"""4PX answers: the businessLinkCode table, China time to UTC, trackingList parsing, and what fetch
makes of each call's outcome (one call per number; a failed call costs only its own number)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
import responses
from crossdock.carriers.fourpx.source import STATUS_CODES, FourPxSource, answer_from, occurred_at, status_of
from crossdock.carriers.fourpx.spec import SPEC
from crossdock.core.errors import AuthError, InvalidResponseError
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.tracking.ports import ParcelQuery, SourceContext
from crossdock.tracking.rules.parcel import Found, Missing
from crossdock.tracking.rules.status import TrackingStatus
from crossdock_local.sandboxes.fourpx.server import STAGE_CODES, code_for
from crossdock_local.sandboxes.parcels import Scan

URL = "https://fop.test/router/api/service"
S = TrackingStatus


def item(
    code: str, at: Any = "2025-01-02 10:11:12", text: str = "Departed", where: str | None = "SHENZHEN"
) -> Any:
    return {
        "businessLinkCode": code,
        "occurDatetime": at,
        "occurLocation": where,
        "trackingContent": text,
        "destinationCountry": "US",
    }


def test_every_code_of_the_table_has_its_status() -> None:
    # When / Then
    assert status_of("OR") == (S.INFO_RECEIVED, False)
    assert status_of("PU")[0] is status_of("DA")[0] is status_of("AA")[0] is S.IN_TRANSIT
    assert status_of("CC")[0] is status_of("CCE")[0] is S.IN_TRANSIT
    assert status_of("HC") == (S.EXCEPTION, False)
    assert status_of("OD") == (S.OUT_FOR_DELIVERY, False)
    assert status_of("AP") == (S.AVAILABLE_FOR_PICKUP, False)
    assert status_of("DF") == (S.DELIVERY_FAILED, False)
    assert status_of("OK") == (S.DELIVERED, False)
    assert status_of("EX") == (S.EXCEPTION, False)


def test_only_the_return_code_marks_a_return() -> None:
    # When / Then
    assert status_of("RT") == (S.EXCEPTION, True)
    assert [code for code, (_, is_return) in STATUS_CODES.items() if is_return] == ["RT"]


def test_unknown_codes_read_as_in_transit_with_the_raw_code_kept() -> None:
    # When
    found = answer_from({"trackingList": [item("ZZ9")]})

    # Then
    assert isinstance(found, Found)
    assert (found.events[0].status, found.events[0].raw_status) == (S.IN_TRANSIT, "ZZ9")


def test_the_sandbox_codes_map_back_to_their_stage() -> None:
    # When / Then (EXPIRED has no 4PX scan: the sandbox renders it as an exception)
    for stage, code in STAGE_CODES.items():
        if stage not in (S.PENDING, S.EXPIRED):
            assert status_of(code)[0] == stage, code  # the sandbox's stage, by its value


@pytest.mark.parametrize(
    ("stage", "text", "is_return", "code"),
    [
        (S.INFO_RECEIVED, "Shipment information received", False, "OR"),
        (S.IN_TRANSIT, "Parcel picked up by carrier", False, "PU"),
        (S.IN_TRANSIT, "Departed from sorting center", False, "DA"),
        (S.IN_TRANSIT, "Arrived at destination country", False, "AA"),
        (S.IN_TRANSIT, "Customs clearance completed", False, "CCE"),
        (S.IN_TRANSIT, "Customs clearance in progress", False, "CC"),
        (S.EXCEPTION, "Held by customs", False, "HC"),
        (S.EXCEPTION, "Parcel damaged", False, "EX"),
        (S.IN_TRANSIT, "Returned to sender", True, "RT"),
        (S.DELIVERED, "Delivered", False, "OK"),
    ],
)
def test_the_sandbox_renders_scans_with_codes_the_adapter_reads_back(
    stage: TrackingStatus, text: str, is_return: bool, code: str
) -> None:
    # Given
    scan = Scan(datetime(2025, 1, 2, tzinfo=UTC), stage, text, "SHENZHEN", is_return=is_return)

    # When
    rendered = code_for(scan)

    # Then
    assert rendered == code
    assert status_of(rendered) == ((S.EXCEPTION, True) if is_return else (stage, False))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-01-02 10:11:12", datetime(2025, 1, 2, 2, 11, 12, tzinfo=UTC)),  # China time, UTC+8
        ("2025-01-02 03:00:00", datetime(2025, 1, 1, 19, 0, tzinfo=UTC)),  # crosses midnight backwards
        ("2025/01/02 10:11:12", datetime(2025, 1, 2, 2, 11, 12, tzinfo=UTC)),
        ("2025-01-02T10:11:12+02:00", datetime(2025, 1, 2, 8, 11, 12, tzinfo=UTC)),  # its own offset wins
        (1735783872000, datetime(2025, 1, 2, 2, 11, 12, tzinfo=UTC)),  # epoch milliseconds
        ("1735783872000", datetime(2025, 1, 2, 2, 11, 12, tzinfo=UTC)),
    ],
)
def test_occur_datetime_becomes_aware_utc(value: Any, expected: datetime) -> None:
    # When
    at = occurred_at(value)

    # Then
    assert at == expected and at is not None and at.utcoffset() is not None


@pytest.mark.parametrize("value", [None, "", "yesterday", "2025-13-40 99:00:00"])
def test_unreadable_times_are_none(value: Any) -> None:
    # When / Then
    assert occurred_at(value) is None


def test_scans_become_events_and_the_newest_code_is_the_raw_status() -> None:
    # Given (4PX lists the newest first)
    data = {
        "deliveryOrderNo": "4PX1",
        "trackingList": [
            item("OK", "2025-01-09 18:00:00", "Delivered", "LOS ANGELES, CA"),
            item("RT", "2025-01-08 09:00:00", "Returning to sender", None),
            item("OR", "2025-01-02 10:11:12", "Shipment information received"),
        ],
    }

    # When
    found = answer_from(data)

    # Then
    assert isinstance(found, Found)
    assert found.raw_status == "OK"
    delivered, returning, received = found.events
    assert (delivered.status, delivered.location, delivered.source) == (S.DELIVERED, "LOS ANGELES, CA", "4px")
    assert returning.is_return and returning.location == ""
    assert received.at == datetime(2025, 1, 2, 2, 11, 12, tzinfo=UTC)
    assert received.description == "Shipment information received"


@pytest.mark.parametrize(
    "data", [{"deliveryOrderNo": "4PX1", "trackingList": []}, {"deliveryOrderNo": "4PX1"}]
)
def test_success_without_scans_is_empty_never_found(data: dict[str, Any]) -> None:
    # When / Then
    assert answer_from(data) == Missing("empty", "result 1 with no trackingList entries")


def test_scans_without_readable_times_are_a_rejection() -> None:
    # When
    answer = answer_from({"trackingList": [item("OR", "soon"), "junk"]})

    # Then
    assert isinstance(answer, Missing) and answer.reason == "rejected"


def test_an_unreadable_scan_is_skipped_when_others_are_readable() -> None:
    # When
    answer = answer_from({"trackingList": [item("OR", "soon"), item("DA")]})

    # Then
    assert isinstance(answer, Found) and [e.raw_status for e in answer.events] == ["DA"]


def test_a_tracking_list_that_is_not_a_list_is_an_invalid_response() -> None:
    # When / Then
    with pytest.raises(InvalidResponseError):
        answer_from({"trackingList": "OR"})


# -- fetch -----------------------------------------------------------------------------------------
Gateway = Callable[[str], dict[str, Any]]


def found(number: str) -> dict[str, Any]:
    data = {"deliveryOrderNo": number, "trackingList": [item("DA")]}
    return {"result": "1", "msg": "success", "errors": [], "data": data}


def error(code: str) -> dict[str, Any]:
    return {"result": "0", "msg": "fail", "errors": [{"errorCode": code, "errorMsg": "text"}], "data": None}


def run(gateway: Gateway, numbers: list[str], **creds: str) -> tuple[dict[str, Any], list[str]]:
    asked: list[str] = []

    def callback(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        raw = request.body if isinstance(request.body, bytes) else str(request.body).encode()
        number = json.loads(raw)["deliveryOrderNo"]
        asked.append(number)
        return 200, {}, json.dumps(gateway(number))

    retry = RetryPolicy(max_attempts=3, base_delay_s=0.0, max_delay_s=0.0)
    http = ChannelHttp("4px", SPEC.rates, rate_scale=1000, retry=retry, sleep=lambda s: None)
    ctx = SourceContext({"app_key": "k", "app_secret": "s", **creds}, http, {"api": "https://fop.test"})
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, URL, callback=callback)
        answers = FourPxSource(ctx).fetch([ParcelQuery(n, "4px") for n in numbers])
    return answers, asked


def test_one_call_per_number_and_each_number_asked_once() -> None:
    # When
    answers, asked = run(found, ["4PX1", "4PX2", "4PX1", "4PX3"])

    # Then
    assert asked == ["4PX1", "4PX2", "4PX3"]
    assert set(answers) == {"4PX1", "4PX2", "4PX3"}
    assert all(isinstance(a, Found) for a in answers.values())


def test_a_failing_call_fails_only_its_own_number_after_its_retries() -> None:
    # Given
    def gateway(number: str) -> dict[str, Any]:
        return error("5000") if number == "4PX2" else found(number)

    # When
    answers, asked = run(gateway, ["4PX1", "4PX2", "4PX3"])

    # Then
    assert asked.count("4PX2") == 3
    failed = answers["4PX2"]
    assert isinstance(failed, Missing) and failed.reason == "failed" and "5000" in failed.detail
    assert isinstance(answers["4PX1"], Found) and isinstance(answers["4PX3"], Found)


def test_a_rejected_call_is_failed_at_once_without_retries() -> None:
    # When
    answers, asked = run(lambda n: error("1006"), ["4PX1"])

    # Then
    assert asked == ["4PX1"]
    assert isinstance(answers["4PX1"], Missing) and answers["4PX1"].reason == "failed"


def test_per_number_answers_come_back_as_missing_with_their_reason() -> None:
    # Given
    table = {"4PX1": error("2001"), "4PX2": error("2002"), "4PX3": found("4PX3")}

    # When
    answers, _ = run(table.__getitem__, list(table))

    # Then
    assert [getattr(a, "reason", "found") for a in answers.values()] == ["not_found", "rejected", "found"]


def test_an_auth_failure_ends_the_fetch() -> None:
    # When / Then
    with pytest.raises(AuthError):
        run(lambda n: error("1002"), ["4PX1", "4PX2"])


def test_register_asks_nothing_and_returns_nothing() -> None:
    # Given
    http = ChannelHttp("4px", SPEC.rates)
    source = FourPxSource(SourceContext({"app_key": "k", "app_secret": "s"}, http))

    # When / Then
    assert source.register([ParcelQuery("4PX1", "4px")]) == {}
    assert http.stats.total_calls == 0
    assert source.url == "https://open.4px.com/router/api/service"


def test_spec_describes_one_number_per_call() -> None:
    # When / Then
    assert (SPEC.name, SPEC.display, SPEC.max_batch) == ("4px", "4PX", 1)
    assert [SPEC.minimum_calls(n) for n in (0, 1, 95, 10_000)] == [0, 1, 95, 10_000]
    assert set(SPEC.credential_fields) == {"app_key", "app_secret"}
    built = SPEC.build(
        SourceContext(credentials={"app_key": "k", "app_secret": "s"}, http=ChannelHttp("4px", SPEC.rates))
    )
    assert isinstance(built, FourPxSource) and not FourPxSource.needs_registration
