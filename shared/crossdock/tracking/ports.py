"""The port every tracking source implements, and the spec a source module exports.

A new source is one module exporting `SPEC` plus one line in `registry.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from crossdock.core.http import ChannelHttp
    from crossdock.core.ratelimit import Rate
    from crossdock.tracking.rules.parcel import Answer
    from crossdock.tracking.rules.push import Push


@dataclass(frozen=True)
class ParcelQuery:
    tracking_number: str
    carrier: str  # normalized carrier code ("4px", "yanwen", "usps", ...)


class TrackingSource(Protocol):
    """Asks one tracking API about parcels, in batches of at most `max_batch` numbers per call."""

    name: str
    max_batch: int
    needs_registration: bool  # numbers must be registered (17TRACK) before they can be asked about

    def fetch(self, queries: Sequence[ParcelQuery]) -> dict[str, Answer]:
        """One answer per number asked, keyed by tracking number (a number the response leaves out
        is `Missing("empty")`). A fault of a whole call (HTTP, envelope `result`/`code` failure,
        auth, throttling after retries) raises its `ChannelError`. May make several calls when
        `queries` exceeds `max_batch`."""
        ...

    def register(self, queries: Sequence[ParcelQuery]) -> dict[str, str | None]:
        """Sources with `needs_registration`: register the numbers; number → None when registered
        (or already registered), else the source's reason. Others return {} without calling."""
        ...


class PushReader(Protocol):
    """A source's webhook as it arrives: its signature checked over the raw body, then parsed."""

    name: str

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Does the request carry the source's valid signature? `headers` with lower-case names;
        `body` exactly as received (the signature covers the raw bytes)."""
        ...

    def parse(self, body: bytes) -> Push:
        """The push; raises `rules.push.InvalidPush` for a body that is not of the documented shape."""
        ...


@dataclass
class SourceContext:
    """What a source adapter needs: its credentials (never logged), endpoint overrides, the paced
    HTTP client, and a clock."""

    credentials: Mapping[str, Any]
    http: ChannelHttp
    endpoints: Mapping[str, str] = field(default_factory=dict)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def endpoint(self, name: str, default: str) -> str:
        return self.endpoints.get(name, default).rstrip("/")


@dataclass(frozen=True)
class SourceSpec:
    """One tracking source: documented batch size and rates, default endpoints, credentials, builder."""

    name: str  # "4px", "yanwen", "17track"
    display: str  # "4PX", "Yanwen", "17TRACK"
    max_batch: int
    rates: Mapping[str, Rate]  # per operation, as ChannelHttp expects
    endpoints: Mapping[str, str]
    credential_fields: tuple[str, ...]
    build: Callable[[SourceContext], TrackingSource]
    minimum_calls: Callable[[int], int]  # fewest calls to ask about N numbers (bench)
    registers: bool = False  # numbers are registered first (one more call per batch of new numbers)
    # The source's webhook (None: poll only): from its credentials, read when a push arrives (a
    # rotated key is read again when the secret's cache expires).
    push: Callable[[Callable[[], Mapping[str, Any]]], PushReader] | None = None
