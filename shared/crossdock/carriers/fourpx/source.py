"""4PX as a tracking source: `tr.order.tracking.get`, one number per call (api-contracts §6.1).

Assumptions, all UNCONFIRMED in the contract and kept here in one place:
- Rate: none is published; we pace at 5 calls/s, burst 5, per app key.
- `occurDatetime` ("2025-01-02 10:11:12") is China time, UTC+8, whatever the scan's location;
  a value that carries its own offset keeps it.
- `businessLinkCode` values: 4PX's data dictionary was not retrieved. `STATUS_CODES` is our table;
  OR, DA, AA, CC and CCE are spelled as in third-party 4PX samples (PARTIAL), the rest are ours.
  A code not in the table reads as in transit, with the code kept in `raw_status`.
- 4PX gives no overall status: an answer's `raw_status` is the newest scan's code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from crossdock.carriers.fourpx.spec import CHANNEL, DEFAULT_API, METHOD
from crossdock.carriers.fourpx.wire import HEADERS, PATH, FourPxCredentials, body_text, query, read_envelope
from crossdock.core.errors import InvalidResponseError, RequestRejectedError, RetriesExhaustedError
from crossdock.tracking.rules.parcel import Answer, Found, Missing
from crossdock.tracking.rules.status import TrackingEvent, TrackingStatus

if TYPE_CHECKING:
    import requests

    from crossdock.tracking.ports import ParcelQuery, SourceContext

CHINA = timezone(timedelta(hours=8), "UTC+8")
S = TrackingStatus

# businessLinkCode → (unified status, documented return). UNCONFIRMED: see the module docstring.
STATUS_CODES: dict[str, tuple[TrackingStatus, bool]] = {
    "OR": (S.INFO_RECEIVED, False),  # order information received
    "PU": (S.IN_TRANSIT, False),  # picked up / received at the 4PX warehouse
    "DA": (S.IN_TRANSIT, False),  # departed (sorting centre, origin port)
    "AA": (S.IN_TRANSIT, False),  # arrived in the destination country
    "CC": (S.IN_TRANSIT, False),  # customs clearance in progress
    "CCE": (S.IN_TRANSIT, False),  # customs clearance completed
    "HC": (S.EXCEPTION, False),  # held by customs
    "OD": (S.OUT_FOR_DELIVERY, False),  # out for delivery
    "AP": (S.AVAILABLE_FOR_PICKUP, False),  # waiting at a pick-up point
    "DF": (S.DELIVERY_FAILED, False),  # delivery attempt failed
    "OK": (S.DELIVERED, False),  # delivered, signed for
    "RT": (S.EXCEPTION, True),  # returning to the sender
    "EX": (S.EXCEPTION, False),  # exception (damaged, lost, address problem)
}


def status_of(code: str) -> tuple[TrackingStatus, bool]:
    """Unknown codes are read as in transit (never as a final status); the raw code is kept."""
    return STATUS_CODES.get(code.strip().upper(), (S.IN_TRANSIT, False))


def occurred_at(value: Any) -> datetime | None:
    """`occurDatetime` as UTC: naive text is China time; an offset or epoch milliseconds is honoured."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, UTC)
    text = str(value or "").strip()
    if text.isdigit() and len(text) >= 12:
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA)).astimezone(UTC)


def to_event(item: Any) -> TrackingEvent | None:
    """One `trackingList` item, or None when it has no readable time."""
    if not isinstance(item, Mapping):
        return None
    at = occurred_at(item.get("occurDatetime"))
    if at is None:
        return None
    code = str(item.get("businessLinkCode") or "")
    status, is_return = status_of(code)
    return TrackingEvent(
        at=at,
        description=str(item.get("trackingContent") or ""),
        location=str(item.get("occurLocation") or ""),
        raw_status=code,
        status=status,
        source=CHANNEL,
        is_return=is_return,
    )


def answer_from(data: Mapping[str, Any]) -> Answer:
    """A success's `data`: scans, or Missing("empty") when 4PX says "1" without any."""
    items = data.get("trackingList")
    if items is None or items == []:
        return Missing("empty", "result 1 with no trackingList entries")
    if not isinstance(items, list):
        raise InvalidResponseError(CHANNEL, f"trackingList is not a list: {str(items)[:120]}", status=200)
    events = [event for event in map(to_event, items) if event is not None]
    if not events:
        return Missing("rejected", f"{len(items)} scans, none with a readable occurDatetime")
    return Found(tuple(events), max(events, key=lambda e: e.at).raw_status)


def parse_answer(response: requests.Response) -> Answer:
    envelope = read_envelope(response)
    return envelope if isinstance(envelope, Missing) else answer_from(envelope)


class FourPxSource:
    """Asks 4PX about its own (and its service providers') numbers, one call per number."""

    name = CHANNEL
    max_batch = 1
    needs_registration = False

    def __init__(self, ctx: SourceContext) -> None:
        self.http = ctx.http
        base = ctx.endpoint("api", DEFAULT_API)
        self.url = base if base.endswith(PATH) else base + PATH
        self.credentials = FourPxCredentials.from_secret(ctx.credentials)
        self._now = ctx.now

    def fetch(self, queries: Sequence[ParcelQuery]) -> dict[str, Answer]:
        """A failed call costs only its own number; AuthError and CallDeferred end the fetch."""
        answers: dict[str, Answer] = {}
        for number in dict.fromkeys(q.tracking_number for q in queries):
            try:
                answers[number] = self.ask(number)
            except (RetriesExhaustedError, RequestRejectedError) as exc:
                answers[number] = Missing("failed", str(exc))
        return answers

    def ask(self, number: str) -> Answer:
        def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
            body = body_text(number)  # signed and sent as the same string; re-signed per attempt
            stamp = str(int(self._now().timestamp() * 1000))
            params = query(self.credentials, stamp, body)
            return session.post(
                self.url, params=params, data=body.encode("utf-8"), headers=HEADERS, timeout=timeout
            )

        return self.http.call(METHOD, send, parse_answer)

    def register(self, queries: Sequence[ParcelQuery]) -> dict[str, str | None]:
        return {}  # 4PX knows its numbers from the shipment order: nothing to register
