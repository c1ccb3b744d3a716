"""Channel faults, mapped once at each adapter boundary into these types.

The use cases decide on the type alone: retry (RetryableError and subclasses), stop the shop and
alert (AuthError), or fail the task and alert (RequestRejectedError).
"""

from __future__ import annotations


class ChannelError(Exception):
    """Anything a channel call can end in. `kind` names the fault for metrics and reports."""

    kind = "error"

    def __init__(self, channel: str, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(f"{channel}: {message}")
        self.channel = channel
        self.code = code
        self.status = status


class RetryableError(ChannelError):
    """A transient fault: 5xx, timeout, connection reset."""

    kind = "server"


class TimeoutFault(RetryableError):
    kind = "timeout"


class ConnectionFault(RetryableError):
    kind = "connection"


class ThrottledError(RetryableError):
    """The channel said slow down (HTTP 429, QuotaExceeded, THROTTLED, TOP code 7/8)."""

    kind = "throttled"

    def __init__(self, channel: str, message: str, *, retry_after: float | None = None, **kw: object):
        super().__init__(channel, message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after


class InvalidResponseError(RetryableError):
    """A 200 whose body lacks the expected data: no envelope, an error envelope we cannot place,
    HTML, an empty page that claims more pages. Never read as "no orders"."""

    kind = "invalid_response"


class AuthError(ChannelError):
    """Expired or revoked token, bad signature, wrong key: a person must act. Never retried."""

    kind = "auth"


class RequestRejectedError(ChannelError):
    """The channel refused our request as malformed (4xx other than auth/throttle): a bug or a
    configuration error; retrying the same request cannot help."""

    kind = "rejected"


class RetriesExhaustedError(ChannelError):
    """Transient faults persisted through every retry."""

    kind = "exhausted"

    def __init__(self, channel: str, last: ChannelError, attempts: int):
        super().__init__(channel, f"gave up after {attempts} attempts: {last}", code=last.code)
        self.last = last
        self.attempts = attempts


class CallDeferred(Exception):
    """The next call may only be sent after more time than this invocation has left (a slow
    documented rate, a long Retry-After). Not a fault: the caller hands the work to a later run."""

    def __init__(self, channel: str, wait_s: float):
        super().__init__(f"{channel}: next call allowed in {wait_s:.0f} s, past this run's time budget")
        self.channel = channel
        self.wait_s = wait_s
