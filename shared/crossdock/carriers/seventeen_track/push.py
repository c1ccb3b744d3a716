"""17TRACK's webhook (Tracking API v2.2): the `sign` check, and the push read with the poll's parser.

Contract (push-contracts §4; the payload and the signature are CONFIRMED-3P: several independent
handlers agree, 17TRACK's own page was not readable past its opening): 17TRACK POSTs JSON to the one
webhook URL saved in its dashboard —
`{"event": "TRACKING_UPDATED", "data": {"number", "carrier", "param", "tag", "track_info": {...}}}`,
or `"TRACKING_STOPPED"` with the number only; other event names may appear and are ignored. The
header `sign` is the lowercase hex SHA-256 of the raw body + "/" + the API key (a plain hash, not an
HMAC), the key being the `17token` the poll uses. `track_info` has the shape of an accepted
gettrackinfo item's, so `wire.answer_for` reads it: push and poll judge identical data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any

from crossdock.carriers.seventeen_track.spec import CHANNEL
from crossdock.carriers.seventeen_track.wire import answer_for
from crossdock.tracking.rules.push import InvalidPush, OtherPush, Push, TrackingStopped, TrackPush

UPDATED = "TRACKING_UPDATED"
STOPPED = "TRACKING_STOPPED"
SIGN_HEADER = "sign"


def signature(body: bytes, api_key: str) -> str:
    """17TRACK's `sign` for a body: sha256(raw body + "/" + key), lowercase hex. Over the bytes as
    received (the same bytes as the documented `raw_body.decode() + "/" + key` for any UTF-8 body)."""
    return hashlib.sha256(body + b"/" + api_key.encode("utf-8")).hexdigest()


class SeventeenTrackPush:
    """One 17TRACK account's webhook. `credentials()` is the source's secret ({"api_key": ...}),
    read per push (the secret cache decides how often it is fetched)."""

    name = CHANNEL

    def __init__(self, credentials: Callable[[], Mapping[str, Any]]) -> None:
        self.credentials = credentials

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        given = headers.get(SIGN_HEADER, "")
        key = str(self.credentials().get("api_key") or "")
        if not given or not key:
            return False
        expected = signature(body, key).encode("ascii")
        return hmac.compare_digest(expected, given.strip().lower().encode("utf-8"))

    def parse(self, body: bytes) -> Push:
        try:
            message = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidPush(f"body is not JSON: {exc}") from None
        if not isinstance(message, dict) or not isinstance(message.get("event"), str):
            raise InvalidPush("body is not an object with an event name")
        event = message["event"]
        if event not in (UPDATED, STOPPED):
            return OtherPush(CHANNEL, event)
        data = message.get("data")
        if not isinstance(data, dict):
            raise InvalidPush(f"{event} without a data object")
        number = data.get("number")
        if not isinstance(number, str) or not number.strip():
            raise InvalidPush(f"{event} without a tracking number")
        tag = data.get("tag")
        hint = tag.strip() if isinstance(tag, str) else ""
        if event == STOPPED:
            return TrackingStopped(CHANNEL, number.strip(), hint)
        info = data.get("track_info")
        if not isinstance(info, dict):
            raise InvalidPush(f"{UPDATED} for {number} without a track_info object")
        latest = info.get("latest_status")
        latest = latest if isinstance(latest, dict) else {}
        status = str(latest.get("sub_status") or latest.get("status") or "")
        return TrackPush(CHANNEL, number.strip(), hint, answer_for(data), status)
