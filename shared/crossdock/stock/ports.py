"""What the stock use cases need from a channel: a writer of quantities and a reader of warehouse stock."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from crossdock.stock.rules.counts import RefusedSummary
    from crossdock.stock.rules.sellable import FbaSummary, Listing, PushOutcome, QuantityUpdate


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
