"""17TRACK Tracking API v2.2 on the wire: the envelope, the status table, and answers per number.

Every call is `POST {api}/track/v2.2/<operation>` with a JSON array body and the header
`17token: <api key>` (api-contracts §6.3). The answer is `{"code": 0, "data": {"accepted": [...],
"rejected": [{"number", "error": {"code", "message"}}]}}`; a whole-call failure is `code ≠ 0` with
`data.errors[]`. Each accepted gettrackinfo item carries `track_info`: `latest_status.{status,
sub_status}`, `latest_event`, and `tracking.providers[].events[]`, newest first, each event with
`time_iso` (local, with offset), `time_utc`, `description`, `location`, `stage` (milestone such as
"PickedUp", or null) and `sub_status` ("<Status>_<Detail>", e.g. "InTransit_Arrival").
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crossdock.carriers.seventeen_track.spec import CHANNEL
from crossdock.core.errors import AuthError, ChannelError, InvalidResponseError, RequestRejectedError
from crossdock.core.http import json_body, raise_for_status
from crossdock.tracking.rules.parcel import Answer, Found, Missing
from crossdock.tracking.rules.status import TrackingEvent, TrackingStatus

if TYPE_CHECKING:
    import requests

PATH = "/track/v2.2"

ALREADY_REGISTERED = -18019901  # register: the number is tracked already, which is what we want
NOT_REGISTERED = -18019902  # gettrackinfo: register first
AUTH_CODES = frozenset({-18010001, -18010002, -18010004})  # IP not whitelisted, bad key, key disabled
# Never helped by a retry: the daily limit / the quota is spent, or more than 40 numbers (our bug).
REFUSED_CODES = frozenset({-18019907, -18019908, -18010014})

S = TrackingStatus
# The mapping table. Keys: the nine main statuses (`latest_status.status`, and the part of an event's
# `sub_status` before "_") and the milestone names an event's `stage` may hold instead. A code found
# nowhere here is read as IN_TRANSIT with the raw code kept: 17TRACK adds sub-statuses over time,
# and every one of them describes a parcel that is moving or held somewhere on the way.
STATUS: dict[str, TrackingStatus] = {
    "NotFound": S.PENDING,
    "InfoReceived": S.INFO_RECEIVED,
    "InTransit": S.IN_TRANSIT,
    "PickedUp": S.IN_TRANSIT,
    "Departure": S.IN_TRANSIT,
    "Arrival": S.IN_TRANSIT,
    "Expired": S.EXPIRED,
    "AvailableForPickup": S.AVAILABLE_FOR_PICKUP,
    "OutForDelivery": S.OUT_FOR_DELIVERY,
    "DeliveryFailure": S.DELIVERY_FAILED,
    "Delivered": S.DELIVERED,
    "Exception": S.EXCEPTION,
    "Returning": S.EXCEPTION,
    "Returned": S.EXCEPTION,
}
RETURN_CODES = frozenset({"Exception_Returning", "Exception_Returned", "Returning", "Returned"})


def status_of(code: str) -> TrackingStatus:
    """A status, sub-status ("InTransit_CustomsReleased") or milestone, by exact name then by prefix."""
    return STATUS.get(code) or STATUS.get(code.split("_", 1)[0], S.IN_TRANSIT)


def event_time(event: Mapping[str, Any]) -> datetime | None:
    """`time_utc`, else `time_iso` with its offset, in UTC. A time without a zone (17TRACK leaves it
    out when the carrier gave none) is read as UTC — UNCONFIRMED, off by the local zone at most."""
    for field in ("time_utc", "time_iso"):
        text = event.get(field)
        if not isinstance(text, str) or not text.strip():
            continue
        try:
            at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            continue
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    return None


def to_event(event: Mapping[str, Any]) -> TrackingEvent | None:
    """One provider event (None without a readable time). The sub-status is the raw code when given
    (it names the status), else the milestone `stage`."""
    at = event_time(event)
    if at is None:
        return None
    sub, stage = str(event.get("sub_status") or ""), str(event.get("stage") or "")
    raw = sub or stage
    return TrackingEvent(
        at=at,
        description=str(event.get("description") or ""),
        location=str(event.get("location") or ""),
        raw_status=raw,
        status=status_of(raw),
        source=CHANNEL,
        is_return=bool({sub, stage} & RETURN_CODES),
    )


def track_events(info: Mapping[str, Any]) -> tuple[TrackingEvent, ...]:
    """Every provider's events plus `latest_event`, once each (the origin carrier and the last-mile
    carrier both list the hand-over scan), oldest first."""
    raw = [_dict(info.get("latest_event"))]
    for provider in _providers(info):
        raw.extend(_dicts(provider.get("events")))
    unique: dict[tuple[str, str], TrackingEvent] = {}
    for event in filter(None, map(to_event, raw)):
        unique.setdefault(event.key, event)
    return tuple(sorted(unique.values(), key=lambda e: e.at))


def answer_for(item: Mapping[str, Any]) -> Answer:
    """An accepted gettrackinfo item: scans, or why there are none."""
    info = item.get("track_info")
    if not isinstance(info, dict):
        return Missing("empty", "accepted without track_info")
    latest = _dict(info.get("latest_status"))
    status = str(latest.get("status") or "")
    raw = str(latest.get("sub_status") or "") or status
    events = track_events(info)
    if events:
        return Found(events, raw)
    if status == "NotFound":
        return Missing("not_found", raw)
    syncs = sorted({str(p["latest_sync_status"]) for p in _providers(info) if p.get("latest_sync_status")})
    sync = f" (provider sync: {', '.join(syncs)})" if syncs else ""
    return Missing("empty", f"{raw or 'no status'} without events{sync}")


def _providers(info: Mapping[str, Any]) -> list[dict[str, Any]]:
    return _dicts(_dict(info.get("tracking")).get("providers"))


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def envelope(response: requests.Response) -> dict[str, Any]:
    """`data` of a `code: 0` answer, or the typed fault of the whole call."""
    raise_for_status(CHANNEL, response)
    body = json_body(CHANNEL, response)
    if not isinstance(body, dict) or "code" not in body:
        raise InvalidResponseError(CHANNEL, "answer is not a 17TRACK envelope", status=response.status_code)
    if body["code"] != 0:
        raise envelope_error(body)
    data = body.get("data")
    if not isinstance(data, dict):
        raise InvalidResponseError(CHANNEL, "code 0 without data", status=response.status_code)
    return data


def envelope_error(body: Mapping[str, Any]) -> ChannelError:
    """Auth codes stop the source; spent quota and oversize batches are refused (no retry);
    anything else (-18010003 internal error, codes we do not know) is retried as an invalid answer."""
    code = body.get("code")
    first = next(iter(_dicts(_dict(body.get("data")).get("errors"))), {})
    text = f"code {code} {first.get('message') or ''}".strip()
    if code in AUTH_CODES:
        return AuthError(CHANNEL, text, code=str(code), status=200)
    if code in REFUSED_CODES:
        return RequestRejectedError(CHANNEL, text, code=str(code), status=200)
    return InvalidResponseError(CHANNEL, text, code=str(code), status=200)


def rejections(data: Mapping[str, Any]) -> dict[str, tuple[int, str]]:
    """number → (error code, message) of `data.rejected`."""
    found: dict[str, tuple[int, str]] = {}
    for item in _dicts(data.get("rejected")):
        error = _dict(item.get("error"))
        code = error.get("code")
        if item.get("number"):
            found[str(item["number"])] = (
                code if isinstance(code, int) else 0,
                str(error.get("message") or ""),
            )
    return found


def accepted(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [item for item in _dicts(data.get("accepted")) if item.get("number")]


def parse_track(data: Mapping[str, Any]) -> tuple[dict[str, Answer], dict[str, tuple[int, str]]]:
    """gettrackinfo: answers of the accepted numbers, and the rejected ones with their errors."""
    return {str(item["number"]): answer_for(item) for item in accepted(data)}, rejections(data)


def parse_register(data: Mapping[str, Any]) -> dict[str, str | None]:
    """register: number → None when accepted or already registered, else "<code> <message>"."""
    outcome: dict[str, str | None] = {str(item["number"]): None for item in accepted(data)}
    for number, (code, message) in rejections(data).items():
        outcome[number] = None if code == ALREADY_REGISTERED else f"{code} {message}".strip()
    return outcome
