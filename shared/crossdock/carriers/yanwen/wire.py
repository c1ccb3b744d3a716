"""Yanwen (燕文) tracking on the wire: the request, the status table, and the one mapping of answers.

`GET {api}/api/tracking?nums=A,B,C` with the header `Authorization: <merchant number>` (the raw value,
no scheme), at most 30 comma-separated numbers. The answer is `{"code": 0, "message": "success",
"result": [{tracking_number, waybill_number, tracking_status, checkpoints: [{time_stamp, time_zone,
tracking_status, message, location}]}], ...}`; `code` 1 is a failure of the whole call.

Per number: `tracking_status` "NOTFOUND" without checkpoints → Missing("not_found"); a number the
result leaves out, or an item without checkpoints under any other status → Missing("empty"); an item
whose checkpoints cannot be read (a time we cannot place) → Missing("rejected"), never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from crossdock.carriers.yanwen.spec import MAX_NUMBERS, SOURCE
from crossdock.core.errors import AuthError, InvalidResponseError
from crossdock.core.http import json_body, raise_for_status
from crossdock.tracking.rules.parcel import Answer, Found, Missing
from crossdock.tracking.rules.status import TrackingEvent, TrackingStatus

if TYPE_CHECKING:
    import requests

PATH = "/api/tracking"
NOT_FOUND = "NOTFOUND"

# Native checkpoint codes → unified status. Seen in the contract: OR10, PU10, LH20, LM40, LM54. The rest
# are UNCONFIRMED: IC50/IC60/IC51/LM10/LM20/LM25/LM50/LM90/PU30 follow one third-party client's grouping
# of Yanwen codes (customs, last mile, exceptions); LM30 is our invention. A code not listed here is read
# as IN_TRANSIT with the raw code kept (`status_of`), so a new code never stops a parcel's tracking.
STATUSES: dict[str, TrackingStatus] = {
    "OR10": TrackingStatus.INFO_RECEIVED,  # order processed
    "PU10": TrackingStatus.IN_TRANSIT,  # accepted by Yanwen
    "LH20": TrackingStatus.IN_TRANSIT,  # line-haul departure
    "LM10": TrackingStatus.IN_TRANSIT,  # UNCONFIRMED: arrived in the destination country
    "IC50": TrackingStatus.IN_TRANSIT,  # UNCONFIRMED: customs clearance under way
    "IC60": TrackingStatus.IN_TRANSIT,  # UNCONFIRMED: customs cleared
    "LM20": TrackingStatus.IN_TRANSIT,  # UNCONFIRMED: handed to the last-mile carrier
    "LM25": TrackingStatus.OUT_FOR_DELIVERY,  # UNCONFIRMED
    "LM30": TrackingStatus.AVAILABLE_FOR_PICKUP,  # UNCONFIRMED (invented)
    "LM40": TrackingStatus.DELIVERED,
    "LM50": TrackingStatus.DELIVERY_FAILED,  # UNCONFIRMED
    "IC51": TrackingStatus.EXCEPTION,  # UNCONFIRMED: held by customs
    "PU30": TrackingStatus.EXCEPTION,  # UNCONFIRMED: pickup / acceptance problem
    "LM90": TrackingStatus.EXCEPTION,  # UNCONFIRMED: last-mile exception
    "LM54": TrackingStatus.EXCEPTION,  # return inbound (is_return)
}
RETURNS = frozenset({"LM54"})
# Checkpoints should always carry `time_zone`; one without it is read as China time, the zone of Yanwen's
# own scans (UNCONFIRMED: no such answer seen).
DEFAULT_ZONE = timezone(timedelta(hours=8))
_ZONE = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
# How a code-1 answer says the Authorization was refused (UNCONFIRMED wording; the sandbox uses the first).
_AUTH_WORDS = re.compile(r"authori[sz]|unauthori|merchant|token|授权|认证|鉴权|商户", re.IGNORECASE)


def status_of(code: str) -> TrackingStatus:
    return STATUSES.get(code.strip().upper(), TrackingStatus.IN_TRANSIT)


def tracking_url(api: str, numbers: Sequence[str]) -> str:
    """The documented query, commas literal (`nums=A,B,C`)."""
    if not 0 < len(numbers) <= MAX_NUMBERS:
        raise ValueError(f"Yanwen tracking takes 1..{MAX_NUMBERS} numbers, not {len(numbers)}")
    return f"{api.rstrip('/')}{PATH}?nums={quote(','.join(numbers), safe=',')}"


def headers(authorization: str) -> dict[str, str]:
    return {"Authorization": authorization, "Accept": "application/json"}


def zone(text: object) -> timezone:
    """ "+02", "-05", "+08", "+05:30", "+0530", "UTC+8", "Z" → a fixed offset."""
    value = str(text or "").strip()
    if not value:
        return DEFAULT_ZONE
    if value.upper() in ("Z", "UTC", "GMT"):
        return UTC
    match = _ZONE.match(value)
    if match is None or int(match[2]) > 14 or int(match[3] or 0) >= 60:
        raise ValueError(f"unreadable time_zone {value!r}")
    sign = -1 if match[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3] or 0)))


def utc_time(time_stamp: object, time_zone: object) -> datetime:
    """A checkpoint's local `time_stamp` in its `time_zone`, as UTC (an explicit offset in the stamp wins)."""
    local = datetime.fromisoformat(str(time_stamp or "").strip())
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone(time_zone))
    return local.astimezone(UTC)


def event(checkpoint: Mapping[str, Any]) -> TrackingEvent:
    code = str(checkpoint.get("tracking_status") or "").strip().upper()
    return TrackingEvent(
        at=utc_time(checkpoint.get("time_stamp"), checkpoint.get("time_zone")),
        description=str(checkpoint.get("message") or ""),
        location=str(checkpoint.get("location") or ""),
        raw_status=code,
        status=status_of(code),
        source=SOURCE,
        is_return=code in RETURNS,
    )


def answer(item: Mapping[str, Any]) -> Answer:
    status = str(item.get("tracking_status") or "").strip().upper()
    checkpoints = item.get("checkpoints") or []
    if not isinstance(checkpoints, list):
        return Missing("rejected", f"checkpoints is a {type(checkpoints).__name__}, not a list")
    if not checkpoints:
        if status == NOT_FOUND:
            return Missing("not_found", NOT_FOUND)
        return Missing("empty", f"tracking_status {status or '(none)'} without checkpoints")
    try:
        events = tuple(event(c) for c in checkpoints if isinstance(c, Mapping))
    except (TypeError, ValueError) as exc:
        return Missing("rejected", f"unreadable checkpoint: {exc}")
    return Found(events, raw_status=status) if events else Missing("empty", "no readable checkpoints")


def results(response: requests.Response) -> list[Mapping[str, Any]]:
    """The `result` items of a code-0 answer, or the typed fault of the whole call."""
    raise_for_status(SOURCE, response)
    body = json_body(SOURCE, response)
    if not isinstance(body, dict) or "code" not in body:
        raise InvalidResponseError(SOURCE, "answer without a code envelope", status=response.status_code)
    code, message = str(body.get("code")).strip(), str(body.get("message") or "")
    if code != "0":
        if _AUTH_WORDS.search(message):
            raise AuthError(SOURCE, f"code {code}: {message}", code=code)
        raise InvalidResponseError(SOURCE, f"code {code}: {message or 'failure'}", code=code, status=200)
    items = body.get("result") or []
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise InvalidResponseError(SOURCE, "code 0 with a `result` that is not a list of objects", status=200)
    return items


def answers(response: requests.Response, numbers: Sequence[str]) -> dict[str, Answer]:
    """One answer per number asked; items are matched on tracking_number, then waybill/exchange number."""
    asked = {n.strip().upper(): n for n in numbers}
    out: dict[str, Answer] = {}
    for item in results(response):
        for key in ("tracking_number", "waybill_number", "exchange_number"):
            number = asked.get(str(item.get(key) or "").strip().upper())
            if number is not None:
                if number not in out:
                    out[number] = answer(item)
                break
    return {n: out.get(n, Missing("empty", "not in the result")) for n in numbers}
