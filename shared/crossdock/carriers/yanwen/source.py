"""Yanwen's own tracking API as a `TrackingSource`: 30 numbers per call, one paced operation.

Credentials: `authorization`, the merchant number (商户号) or the order-creating account, sent as the
raw `Authorization` header. Endpoint `api` (default `http://api.track.yw56.com.cn`; there is no test
environment). Yanwen publishes no rate limit: we assume 5 calls/s with a burst of 5 (UNCONFIRMED;
change `SPEC.rates`). The wire format and the status table are in `wire.py`.

A call that still fails after ChannelHttp's retries (code 1, 5xx, HTML, timeouts) costs only its own
numbers, which become Missing("failed"); an AuthError (HTTP 401/403, or code 1 saying the
Authorization is refused) and CallDeferred stop the whole fetch: the source is unusable or out of time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from crossdock.carriers.yanwen.spec import DEFAULT_API, MAX_NUMBERS, OPERATION, SOURCE
from crossdock.carriers.yanwen.wire import answers, headers, tracking_url
from crossdock.core.errors import RequestRejectedError, RetriesExhaustedError
from crossdock.tracking.rules.parcel import Answer, Missing

if TYPE_CHECKING:
    import requests

    from crossdock.tracking.ports import ParcelQuery, SourceContext


class YanwenSource:
    name = SOURCE
    max_batch = MAX_NUMBERS
    needs_registration = False

    def __init__(self, ctx: SourceContext) -> None:
        authorization = str(ctx.credentials.get("authorization") or "").strip()
        if not authorization:
            raise ValueError("yanwen credentials lack authorization (the merchant number)")
        self._authorization = authorization
        self._http = ctx.http
        self._api = ctx.endpoint("api", DEFAULT_API)

    def fetch(self, queries: Sequence[ParcelQuery]) -> dict[str, Answer]:
        unique = dict.fromkeys(query.tracking_number for query in queries)  # each number asked once
        # A blank number, or one with a comma, cannot be put in `nums` without changing its meaning.
        result: dict[str, Answer] = {
            n: Missing("rejected", "not a number Yanwen can be asked about")
            for n in unique
            if not n.strip() or "," in n
        }
        numbers = [n for n in unique if n not in result]
        for start in range(0, len(numbers), MAX_NUMBERS):
            result.update(self._call(numbers[start : start + MAX_NUMBERS]))
        return result

    def _call(self, numbers: list[str]) -> dict[str, Answer]:
        url = tracking_url(self._api, [n.strip() for n in numbers])

        def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
            return session.get(url, headers=headers(self._authorization), timeout=timeout)

        try:
            return self._http.call(OPERATION, send, lambda response: answers(response, numbers))
        except (RetriesExhaustedError, RequestRejectedError) as exc:
            return {number: Missing("failed", str(exc)) for number in numbers}

    def register(self, queries: Sequence[ParcelQuery]) -> dict[str, str | None]:
        """Yanwen tracks its numbers without registration."""
        return {}
