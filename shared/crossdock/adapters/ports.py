"""The small ports the use cases depend on. A new channel is one module that provides a
`ChannelSpec` plus one line in `registry.py`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from crossdock.adapters.http import ChannelHttp
from crossdock.domain.orders import Order
from crossdock.domain.ratelimit import Rate
from crossdock.domain.stock import FbaSummary, Listing, PushOutcome, QuantityUpdate
from crossdock.domain.stock_counts import RefusedSummary
from crossdock.domain.windows import ChannelLimits, Window


class StockWriter(Protocol):
    """Sets quantities on one shop of a channel with its bulk API."""

    max_batch: int  # most updates one call may carry (Shopify 250, eBay 25, Amazon feed 25,000)

    def push(self, updates: Sequence[QuantityUpdate]) -> list[PushOutcome]:
        """One outcome per update, in order. Per-item refusals are outcomes; a fault of the whole
        call (auth, retries exhausted) raises its `ChannelError`."""
        ...

    def read(self, listings: Sequence[Listing]) -> dict[str, int]:
        """The quantity each listing shows now (`Listing.key` → quantity), for read-back checks."""
        ...


class FbaInventory(Protocol):
    """Reads Amazon FBA inventory summaries (details=true); one whose counts are not whole numbers
    ≥ 0 comes as a RefusedSummary naming them, so it never fails or skews the rest of the read."""

    def summaries(self, since: datetime | None = None) -> Iterator[FbaSummary | RefusedSummary]: ...


class OrderSource(Protocol):
    """Reads one shop's orders from its channel."""

    def pages(self, window: Window) -> Iterator[list[Order]]:
        """Every order whose channel-side modified time lies in `window`, page by page, in the
        order the channel documents as safe. Raises a `ChannelError` on any fault, never ends early."""
        ...


@dataclass
class ShopContext:
    """What an adapter needs to talk to one shop: its credentials (from Secrets Manager, never
    logged), its endpoints (base URL overrides) and the paced HTTP client."""

    shop_id: str
    credentials: Mapping[str, Any]
    http: ChannelHttp
    endpoints: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)  # channel options, e.g. marketplace ids
    now: Callable[[], datetime] | None = None

    def endpoint(self, name: str, default: str) -> str:
        return self.endpoints.get(name, default).rstrip("/")


@dataclass(frozen=True)
class ChannelSpec:
    """One channel: its limits, documented rates, default endpoints, and how to build its source.

    `endpoints` maps endpoint names (e.g. "api", "token") to production defaults; a shop may override
    any of them (`crossdock shops add --endpoint api=http://127.0.0.1:9001`).
    `credential_fields` are the keys its Secrets Manager secret must hold.
    `probe` makes the channel's cheapest authenticated call with a shop's context and raises the
    call's `ChannelError` (AuthError for refused credentials): `crossdock shops rotate` checks new
    credentials with it before they replace the live ones.
    """

    name: str
    limits: ChannelLimits
    rates: Mapping[str, Rate]
    endpoints: Mapping[str, str]
    credential_fields: tuple[str, ...]
    build: Callable[[ShopContext], OrderSource]
    minimum_calls: Callable[[int], int]  # fewest order-listing calls for N changed orders (bench)
    probe: Callable[[ShopContext], None]  # the cheapest authenticated call (checks credentials)
    stock: Callable[[ShopContext], StockWriter] | None = None  # channels we push stock to
    fba: Callable[[ShopContext], FbaInventory] | None = None  # channels whose warehouse stock we read
