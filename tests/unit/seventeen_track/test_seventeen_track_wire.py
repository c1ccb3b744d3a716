"""17TRACK v2.2 answers on the wire: the status table, event times in UTC, per-number answers and
the envelope's codes mapped to typed faults."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests
from crossdock.carriers.seventeen_track.wire import (
    STATUS,
    answer_for,
    envelope,
    event_time,
    parse_register,
    parse_track,
    status_of,
    to_event,
)
from crossdock.core.errors import AuthError, InvalidResponseError, RequestRejectedError, ThrottledError
from crossdock.tracking.rules.parcel import Found, Missing
from crossdock.tracking.rules.status import TrackingStatus as S


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    r.headers.update(headers or {})
    return r


def event(
    time_iso: str, time_utc: str | None, description: str, sub: str, stage: str | None = None
) -> dict[str, Any]:
    return {
        "time_iso": time_iso,
        "time_utc": time_utc,
        "description": description,
        "location": "LOS ANGELES, CA",
        "stage": stage,
        "sub_status": sub,
    }


PICKED_UP = event(
    "2025-04-26T14:30:00+08:00", "2025-04-26T06:30:00Z", "Package picked up", "InTransit_PickedUp", "PickedUp"
)
HANDOVER = event(
    "2025-04-28T09:00:00-04:00", "2025-04-28T13:00:00Z", "Arrived at facility", "InTransit_Arrival", "Arrival"
)
DELIVERED = event(
    "2025-05-02T14:34:00-04:00", "2025-05-02T18:34:00Z", "Package delivered", "Delivered_Other", "Delivered"
)


def accepted_item(
    number: str, providers: list[list[dict[str, Any]]], status: str, sub: str
) -> dict[str, Any]:
    return {
        "number": number,
        "carrier": 3011,
        "tag": "china-post",
        "track_info": {
            "latest_status": {"status": status, "sub_status": sub},
            "latest_event": providers[0][0] if providers and providers[0] else None,
            "tracking": {
                "providers": [
                    {
                        "provider": {"key": 3011, "name": "China Post"},
                        "latest_sync_status": "Success",
                        "events": events,
                    }
                    for events in providers
                ]
            },
        },
    }


# -- status table ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("InfoReceived", S.INFO_RECEIVED),
        ("InTransit_PickedUp", S.IN_TRANSIT),
        ("InTransit_Departure", S.IN_TRANSIT),
        ("InTransit_CustomsReleased", S.IN_TRANSIT),
        ("PickedUp", S.IN_TRANSIT),
        ("OutForDelivery_Other", S.OUT_FOR_DELIVERY),
        ("AvailableForPickup_Other", S.AVAILABLE_FOR_PICKUP),
        ("DeliveryFailure_NoBody", S.DELIVERY_FAILED),
        ("Delivered_Other", S.DELIVERED),
        ("Exception_Returning", S.EXCEPTION),
        ("Returned", S.EXCEPTION),
        ("Expired_Other", S.EXPIRED),
        ("NotFound_Other", S.PENDING),
    ],
)
def test_status_table_maps_sub_statuses_by_prefix_and_milestones_by_name(code: str, status: S) -> None:
    # Given / When / Then
    assert status_of(code) is status


def test_every_main_status_of_the_contract_is_in_the_table() -> None:
    # Given the nine statuses api-contracts §6.3 lists
    statuses = "NotFound InfoReceived InTransit Expired AvailableForPickup OutForDelivery DeliveryFailure Delivered Exception"
    # Then the table names each
    assert set(statuses.split()) <= set(STATUS)


def test_an_unknown_code_reads_as_in_transit_and_keeps_the_raw_code() -> None:
    # Given an event with a sub-status the table does not know
    raw = event("2025-04-27T10:00:00+08:00", None, "Held at hub", "Teleported_Somewhere")
    # When
    parsed = to_event(raw)
    # Then
    assert (
        parsed is not None and parsed.status is S.IN_TRANSIT and parsed.raw_status == "Teleported_Somewhere"
    )


@pytest.mark.parametrize(
    ("sub", "stage"), [("Exception_Returning", "Returning"), ("Exception_Returned", None), ("", "Returned")]
)
def test_return_codes_mark_the_event_as_a_return(sub: str, stage: str | None) -> None:
    # Given
    raw = event("2025-05-10T10:00:00+08:00", None, "Returned to sender", sub, stage)
    # When
    parsed = to_event(raw)
    # Then
    assert parsed is not None and parsed.is_return and parsed.status is S.EXCEPTION


def test_the_sub_status_is_the_raw_code_when_an_event_has_both() -> None:
    # Given / When
    parsed = to_event(PICKED_UP)
    # Then
    assert parsed is not None and parsed.raw_status == "InTransit_PickedUp" and not parsed.is_return


# -- times -----------------------------------------------------------------------------------------
def test_time_utc_is_used_when_present() -> None:
    # Given a (deliberately inconsistent) time_iso beside time_utc
    raw = {"time_iso": "2025-05-02T14:34:00+08:00", "time_utc": "2025-05-02T18:34:00Z"}
    # Then time_utc wins
    assert event_time(raw) == datetime(2025, 5, 2, 18, 34, tzinfo=UTC)


def test_time_iso_is_converted_with_its_own_offset() -> None:
    # Given a New York scan without time_utc
    raw = {"time_iso": "2025-05-02T14:34:00-04:00", "time_utc": None}
    # When
    at = event_time(raw)
    # Then
    assert at == datetime(2025, 5, 2, 18, 34, tzinfo=UTC) and at.tzinfo is UTC


def test_a_time_without_a_zone_is_read_as_utc_never_naive() -> None:
    # Given
    raw = {"time_iso": "2025-05-02T14:34:00", "time_utc": ""}
    # Then
    assert event_time(raw) == datetime(2025, 5, 2, 14, 34, tzinfo=UTC)


def test_an_event_without_a_readable_time_is_dropped() -> None:
    # Given / When / Then
    assert to_event({"time_iso": "yesterday", "time_utc": None, "description": "?"}) is None


# -- per-number answers ------------------------------------------------------------------------------
def test_events_listed_by_two_providers_are_kept_once_oldest_first() -> None:
    # Given the last-mile carrier and the origin carrier both list the hand-over scan
    item = accepted_item(
        "RR1CN", [[DELIVERED, HANDOVER], [HANDOVER, PICKED_UP]], "Delivered", "Delivered_Other"
    )
    # When
    answer = answer_for(item)
    # Then
    assert isinstance(answer, Found) and answer.raw_status == "Delivered_Other"
    assert [e.description for e in answer.events] == [
        "Package picked up",
        "Arrived at facility",
        "Package delivered",
    ]
    assert [e.status for e in answer.events] == [S.IN_TRANSIT, S.IN_TRANSIT, S.DELIVERED]
    assert all(e.source == "17track" for e in answer.events)


def test_not_found_without_events_is_missing_not_found() -> None:
    # Given
    item = accepted_item("RR2CN", [[]], "NotFound", "NotFound_Other")
    # Then
    assert answer_for(item) == Missing("not_found", "NotFound_Other")


def test_a_status_without_events_is_missing_empty_never_found() -> None:
    # Given 17TRACK claims InfoReceived but its provider sync failed and lists no events
    item = accepted_item("RR3CN", [[]], "InfoReceived", "InfoReceived")
    item["track_info"]["tracking"]["providers"][0]["latest_sync_status"] = "Failure"
    # When
    answer = answer_for(item)
    # Then
    assert isinstance(answer, Missing) and answer.reason == "empty" and "Failure" in answer.detail


@pytest.mark.parametrize("track_info", [None, {}, {"latest_status": None, "tracking": None}])
def test_an_accepted_item_without_track_info_is_empty(track_info: Any) -> None:
    # Given / When
    answer = answer_for({"number": "RR4CN", "track_info": track_info})
    # Then
    assert isinstance(answer, Missing) and answer.reason == "empty"


def test_latest_event_alone_still_counts_as_a_scan() -> None:
    # Given no providers but a latest event
    item = {
        "number": "RR5CN",
        "track_info": {"latest_status": {"status": "InTransit"}, "latest_event": HANDOVER},
    }
    # When
    answer = answer_for(item)
    # Then
    assert isinstance(answer, Found) and len(answer.events) == 1 and answer.raw_status == "InTransit"


def test_gettrackinfo_splits_accepted_answers_from_rejected_codes() -> None:
    # Given
    data = {
        "accepted": [accepted_item("RR1CN", [[DELIVERED]], "Delivered", "Delivered_Other")],
        "rejected": [
            {
                "number": "RR9CN",
                "error": {"code": -18019902, "message": "The tracking number does not register."},
            },
            {"number": "RR8CN", "error": {"code": -18019903, "message": "Carrier not detected."}},
        ],
    }
    # When
    answers, rejected = parse_track(data)
    # Then
    assert set(answers) == {"RR1CN"}
    assert rejected == {
        "RR9CN": (-18019902, "The tracking number does not register."),
        "RR8CN": (-18019903, "Carrier not detected."),
    }


def test_register_counts_already_registered_as_registered() -> None:
    # Given
    data = {
        "accepted": [{"origin": 1, "number": "RR1CN", "carrier": 3011}],
        "rejected": [
            {"number": "RR2CN", "error": {"code": -18019901, "message": "Already registered."}},
            {"number": "RR3CN", "error": {"code": -18019908, "message": "Quota exhausted."}},
        ],
    }
    # When / Then
    assert parse_register(data) == {"RR1CN": None, "RR2CN": None, "RR3CN": "-18019908 Quota exhausted."}


# -- the envelope --------------------------------------------------------------------------------------
def failure(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "data": {"errors": [{"code": code, "message": message}]}}


@pytest.mark.parametrize("code", [-18010001, -18010002, -18010004])
def test_key_ip_and_disabled_account_codes_are_auth_errors(code: int) -> None:
    # Given / When / Then
    with pytest.raises(AuthError) as caught:
        envelope(response(200, failure(code, "Invalid security key.")))
    assert caught.value.code == str(code)


@pytest.mark.parametrize("code", [-18019907, -18019908, -18010014])
def test_spent_quota_and_oversize_batches_are_refused_not_retried(code: int) -> None:
    # Given / When / Then
    with pytest.raises(RequestRejectedError):
        envelope(response(200, failure(code, "Quota")))


@pytest.mark.parametrize(
    "body",
    [failure(-18010003, "Internal service error."), failure(-1, "?"), {"code": 0}, {"data": {}}, [1, 2]],
)
def test_other_failures_and_malformed_envelopes_are_retryable_invalid_answers(body: Any) -> None:
    # Given / When / Then
    with pytest.raises(InvalidResponseError):
        envelope(response(200, body))


def test_http_401_is_an_auth_error() -> None:
    # Given / When / Then
    with pytest.raises(AuthError):
        envelope(response(401, failure(-18010002, "Invalid security key.")))


def test_http_429_is_throttling_with_retry_after_when_given() -> None:
    # Given / When
    with pytest.raises(ThrottledError) as caught:
        envelope(response(429, "Too Many Requests", {"Retry-After": "2"}))
    # Then
    assert caught.value.retry_after == 2.0


def test_a_success_envelope_gives_its_data() -> None:
    # Given / When / Then
    assert envelope(response(200, {"code": 0, "data": {"accepted": [], "rejected": []}})) == {
        "accepted": [],
        "rejected": [],
    }
