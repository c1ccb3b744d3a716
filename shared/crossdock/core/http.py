"""One HTTP client for every channel: pacing, bounded retries, fault typing, call accounting.

Why not urllib3's `Retry` alone: it sees status codes and headers, but several channels signal
throttling or failure inside a `200 OK` body (Shopify `THROTTLED`, TOP `error_response`, an empty
page that claims more). Each adapter maps its responses to typed errors in its `parse` function;
this loop retries the retryable ones with exponential backoff and full jitter, honouring
`Retry-After`, and paces every call through the operation's token bucket.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from crossdock.core.errors import (
    AuthError,
    CallDeferred,
    ChannelError,
    ConnectionFault,
    InvalidResponseError,
    RequestRejectedError,
    RetriesExhaustedError,
    RetryableError,
    ThrottledError,
    TimeoutFault,
)
from crossdock.core.ratelimit import Rate, TokenBucket

if TYPE_CHECKING:
    import requests

T = TypeVar("T")
SAVED_AT = "_saved_at"
# Pace a little under the documented rate: the server's bucket starts when our first request
# arrives and network jitter varies, so a call timed to the exact refill instant is throttled now
# and then. 3 % costs 3 % of wall time and saves the retry (and its backoff).
PACING_MARGIN = 0.97


@dataclass
class CallStats:
    """What a run did on the wire: the figures the demo, metrics, breaker and bench read."""

    calls: Counter[str] = field(default_factory=Counter)  # attempts per operation
    faults: Counter[str] = field(default_factory=Counter)  # failed attempts per fault kind
    consumed: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # tokens spent per op
    retries: int = 0
    waited_s: float = 0.0

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    @property
    def failed_calls(self) -> int:
        return sum(self.faults.values())

    def merge(self, other: CallStats) -> None:
        self.calls.update(other.calls)
        self.faults.update(other.faults)
        for op, spent in other.consumed.items():
            self.consumed[op] += spent
        self.retries += other.retries
        self.waited_s += other.waited_s


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 60.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(cap, base·2^(attempt−1))]."""
        return rng.uniform(0, min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1)))


def _requests() -> Any:
    """`requests`, imported when the first HTTP client is built: the planners, which only read tables
    and send tasks, never load it. In a traced process (a Lambda handler has loaded
    `core.observability`) X-Ray patches it then, so every channel, carrier and platform call is a
    subsegment; the CLI and the benches, which trace nothing, never load Powertools for it."""
    import requests

    observability = sys.modules.get("crossdock.core.observability")
    if observability is not None and not getattr(_requests, "patched", False):
        observability.tracer.patch(["requests"])
        _requests.patched = True  # type: ignore[attr-defined]
    return requests


def _session() -> requests.Session:
    return _requests().Session()


class ChannelHttp:
    """Sends one channel's requests for one shop."""

    def __init__(
        self,
        channel: str,
        rates: Mapping[str, Rate],
        *,
        rate_scale: float = 1.0,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        bucket_state: Mapping[str, float] | None = None,
        budget: Callable[[], float] | None = None,
    ) -> None:
        """`budget` returns the seconds this invocation may still wait; a longer wait raises
        CallDeferred instead of sleeping past the Lambda timeout."""
        self.channel = channel
        self.session = session or _session()
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.stats = CallStats()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self.rate_scale = rate_scale
        self._budget = budget
        state = dict(bucket_state or {})
        saved_at = state.pop(SAVED_AT, None)
        self.buckets = {
            op: TokenBucket(
                rate.scaled(rate_scale * PACING_MARGIN),
                clock=clock,
                tokens=state.get(op),
                stamp=saved_at if op in state else None,
            )
            for op, rate in rates.items()
        }

    # -- pacing -------------------------------------------------------------------------------
    def bucket(self, operation: str) -> TokenBucket:
        return self.buckets[operation]

    def observe_rate(self, operation: str, per_second: float) -> None:
        """Follow a documented rate the server states for this seller (already unscaled)."""
        self.buckets[operation].set_rate(per_second * self.rate_scale * PACING_MARGIN)

    def refund(self, operation: str, tokens: float) -> None:
        """The server charged less than reserved (Shopify refunds requested − actual cost): account
        for what was really spent. The bucket itself follows the level the server reports."""
        self.stats.consumed[operation] -= tokens

    def bucket_state(self) -> dict[str, float]:
        """Token levels to carry into the next invocation (refilled there by the time between)."""
        state = {op: round(b.tokens, 4) for op, b in self.buckets.items()}
        state[SAVED_AT] = self._clock()
        return state

    def pause(self, seconds: float) -> None:
        """Wait `seconds` on this client's sleep (counted in stats), or raise CallDeferred when the
        run's budget cannot wait that long: how an adapter waits between its own calls (polling)."""
        self._pause(seconds)

    def _pause(self, seconds: float) -> None:
        if seconds > 0 and self._budget is not None and seconds > self._budget():
            raise CallDeferred(self.channel, seconds)
        if seconds > 0:
            self.stats.waited_s += seconds
            self._sleep(seconds)

    # -- the call loop ----------------------------------------------------------------------------
    def call(
        self,
        operation: str,
        send: Callable[[requests.Session, tuple[float, float]], requests.Response],
        parse: Callable[[requests.Response], T],
        *,
        cost: float = 1.0,
    ) -> T:
        """Send with pacing and retries; `parse` maps the response to a value or a typed error."""
        bucket = self.buckets[operation]
        last: ChannelError | None = None
        for attempt in range(1, self.retry.max_attempts + 1):
            wait = bucket.reserve(cost)
            try:
                self._pause(wait)
            except CallDeferred:
                bucket.reserve(-cost)  # the call is not made: give the tokens back
                raise
            self.stats.calls[operation] += 1
            self.stats.consumed[operation] += cost
            try:
                try:
                    response = send(self.session, self.timeout)
                except _requests().Timeout as exc:
                    raise TimeoutFault(self.channel, f"{operation} timed out") from exc
                except _requests().ConnectionError as exc:
                    raise ConnectionFault(self.channel, f"{operation} connection failed: {exc}") from exc
                return parse(response)
            except (AuthError, RequestRejectedError) as exc:
                self.stats.faults[exc.kind] += 1
                raise
            except RetryableError as exc:
                self.stats.faults[exc.kind] += 1
                last = exc
                if attempt == self.retry.max_attempts:
                    break
                self.stats.retries += 1
                delay = self.retry.backoff(attempt, self._rng)
                if isinstance(exc, ThrottledError) and exc.retry_after is not None:
                    bucket.drain(exc.retry_after, cost)
                    delay = max(delay, exc.retry_after)
                self._pause(delay)
        assert last is not None
        raise RetriesExhaustedError(self.channel, last, self.retry.max_attempts) from last


# -- helpers every adapter's `parse` uses ----------------------------------------------------------
def retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def raise_for_status(channel: str, response: requests.Response) -> None:
    """The HTTP-level mapping shared by all channels; adapters add their body-level rules."""
    status = response.status_code
    if status < 400:
        return
    snippet = response.text[:300]
    if status == 429:
        raise ThrottledError(
            channel, f"HTTP 429: {snippet}", retry_after=retry_after_seconds(response), status=status
        )
    if status in (401, 403):
        raise AuthError(channel, f"HTTP {status}: {snippet}", status=status)
    if status >= 500:
        raise RetryableError(channel, f"HTTP {status}: {snippet}", status=status)
    raise RequestRejectedError(channel, f"HTTP {status}: {snippet}", status=status)


def json_body(channel: str, response: requests.Response) -> Any:
    """The JSON body, or InvalidResponseError for HTML, empty or truncated bodies."""
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError) as exc:
        kind = "HTML" if "<html" in response.text[:500].lower() else "non-JSON"
        raise InvalidResponseError(
            channel, f"HTTP {response.status_code} with a {kind} body", status=response.status_code
        ) from exc
