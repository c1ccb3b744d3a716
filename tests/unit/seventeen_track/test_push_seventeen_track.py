"""17TRACK's webhook on the wire: the `sign` header (SHA-256 of raw body + "/" + key, push-contracts §4)
checked over the exact bytes, and the pushed `track_info` read exactly as the poll reads it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from crossdock.carriers.seventeen_track.push import SeventeenTrackPush, signature
from crossdock.carriers.seventeen_track.spec import SPEC
from crossdock.carriers.seventeen_track.wire import parse_track
from crossdock.tracking.rules.parcel import Found, Missing
from crossdock.tracking.rules.push import InvalidPush, OtherPush, TrackingStopped, TrackPush
from hypothesis import given
from hypothesis import strategies as st

KEY = "ABCDEF0123456789"
STOPPED = (
    b'{"event":"TRACKING_STOPPED","data":{"number":"RR123456789CN","carrier":3011,"param":null,"tag":null}}'
)
# sha256 of STOPPED + b"/" + KEY, computed outside Python (coreutils sha256sum)
STOPPED_SIGN = "a0ad1623768e061b6c51e9ad3dd1c4b2ecb19a443848f66266b25852ffd5b99f"

PICKED_UP = {
    "time_iso": "2025-04-26T14:30:00+08:00",
    "time_utc": "2025-04-26T06:30:00Z",
    "description": "Package picked up",
    "location": "SHENZHEN",
    "stage": "PickedUp",
    "sub_status": "InTransit_PickedUp",
}
ARRIVED = {
    "time_iso": "2025-04-28T09:00:00-04:00",
    "time_utc": "2025-04-28T13:00:00Z",
    "description": "Arrived at facility",
    "location": "LOS ANGELES, CA",
    "stage": "Arrival",
    "sub_status": "InTransit_Arrival",
}


def updated(number: str = "YT2301100001", tag: Any = "yunexpress", **info: Any) -> dict[str, Any]:
    track_info = {
        "latest_status": {"status": "InTransit", "sub_status": "InTransit_Arrival", "sub_status_descr": None},
        "latest_event": ARRIVED,
        "tracking": {"providers": [{"provider": {"key": 190008}, "events": [ARRIVED, PICKED_UP]}]},
        **info,
    }
    data = {"number": number, "carrier": 190008, "param": None, "tag": tag, "track_info": track_info}
    return {"event": "TRACKING_UPDATED", "data": data}


def reader(key: str = KEY) -> SeventeenTrackPush:
    return SeventeenTrackPush(lambda: {"api_key": key})


def raw(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode("utf-8")


# -- the signature -----------------------------------------------------------------------------------
def test_the_documented_vector_verifies_and_is_lowercase_hex():
    assert signature(STOPPED, KEY) == STOPPED_SIGN
    assert reader().verify({"sign": STOPPED_SIGN}, STOPPED)


def test_the_contracts_own_formula_gives_the_same_sign_for_a_non_ascii_body():
    body = raw(updated(tag="燕文"))
    documented = hashlib.sha256((body.decode("utf-8") + "/" + KEY).encode("utf-8")).hexdigest()
    assert signature(body, KEY) == documented and reader().verify({"sign": documented}, body)


@pytest.mark.parametrize(
    ("headers", "body", "key"),
    [
        ({"sign": STOPPED_SIGN}, STOPPED.replace(b"RR123456789CN", b"RR123456780CN"), KEY),  # tampered body
        ({"sign": STOPPED_SIGN}, STOPPED + b" ", KEY),  # one byte more: the raw bytes are signed
        ({"sign": STOPPED_SIGN}, STOPPED, KEY + "0"),  # another account's key
        ({}, STOPPED, KEY),  # unsigned
        ({"sign": ""}, STOPPED, KEY),
        ({"sign": STOPPED_SIGN[:-1]}, STOPPED, KEY),  # truncated
        ({"sign": "é" * 64}, STOPPED, KEY),  # not hex at all
        ({"sign": signature(STOPPED, "")}, STOPPED, ""),  # no key configured: nothing verifies
    ],
    ids=["tampered", "extra-byte", "other-key", "missing", "empty", "truncated", "non-ascii", "no-key"],
)
def test_anything_but_the_exact_body_signed_with_the_key_is_refused(headers, body, key):
    assert not reader(key).verify(headers, body)


@given(body=st.binary(max_size=300), key=st.text(min_size=1, max_size=40), flip=st.integers(0, 299))
def test_a_signed_body_verifies_and_any_changed_byte_does_not(body: bytes, key: str, flip: int):
    sign = signature(body, key)
    assert reader(key).verify({"sign": sign}, body)
    if body:
        at = flip % len(body)
        changed = body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1 :]
        assert not reader(key).verify({"sign": sign}, changed)


def test_the_key_is_read_per_push_so_a_rotated_key_takes_over():
    keys = iter([KEY, "ROTATED"])
    rotating = SeventeenTrackPush(lambda: {"api_key": next(keys)})
    assert rotating.verify({"sign": STOPPED_SIGN}, STOPPED)
    assert not rotating.verify({"sign": STOPPED_SIGN}, STOPPED)


def test_the_source_spec_builds_its_webhook_reader():
    assert SPEC.push is not None and SPEC.push(lambda: {"api_key": KEY}).verify(
        {"sign": STOPPED_SIGN}, STOPPED
    )


# -- the body ----------------------------------------------------------------------------------------
def test_an_update_is_read_into_the_answer_the_poll_reads_for_the_same_track_info():
    message = updated()
    push = reader().parse(raw(message))
    polled, _ = parse_track({"accepted": [message["data"]], "rejected": []})

    assert isinstance(push, TrackPush)
    assert (push.source, push.number, push.carrier_hint, push.status) == (
        "17track",
        "YT2301100001",
        "yunexpress",
        "InTransit_Arrival",
    )
    assert push.answer == polled["YT2301100001"]
    assert isinstance(push.answer, Found) and len(push.answer.events) == 2
    assert push.latest_at is not None and push.latest_at.isoformat() == "2025-04-28T13:00:00+00:00"
    assert push.once_key == "YT2301100001#2025-04-28T13:00:00Z#InTransit_Arrival"


def test_an_update_without_scans_is_the_polls_missing_answer():
    message = updated(latest_event=None, tracking={"providers": []})
    message["data"]["track_info"]["latest_status"] = {"status": "NotFound", "sub_status": "NotFound_Other"}
    push = reader().parse(raw(message))
    assert isinstance(push, TrackPush) and push.answer == Missing("not_found", "NotFound_Other")
    assert push.latest_at is None and push.once_key.endswith("#-#NotFound_Other")


def test_a_missing_tag_is_no_carrier_hint():
    push = reader().parse(raw(updated(tag=None)))
    assert isinstance(push, TrackPush) and push.carrier_hint == ""


def test_tracking_stopped_and_other_events_are_recognised():
    assert reader().parse(STOPPED) == TrackingStopped("17track", "RR123456789CN", "")
    assert reader().parse(b'{"event":"TEST_PUSH","data":{}}') == OtherPush("17track", "TEST_PUSH")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"data": {}}',
        b'{"event": 7}',
        b'{"event": "TRACKING_UPDATED"}',
        b'{"event": "TRACKING_UPDATED", "data": []}',
        b'{"event": "TRACKING_UPDATED", "data": {"number": "  "}}',
        b'{"event": "TRACKING_UPDATED", "data": {"number": "YT1", "track_info": "x"}}',
        b'{"event": "TRACKING_STOPPED", "data": {"number": 12}}',
    ],
)
def test_a_body_not_of_the_documented_shape_is_malformed(body: bytes):
    with pytest.raises(InvalidPush) as refused:
        reader().parse(body)
    assert refused.value.reason == "malformed"
