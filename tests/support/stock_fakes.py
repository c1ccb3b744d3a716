"""Hand-written fakes for the stock use cases: an FBA inventory, a channel's stock writer, an alert
sink and an announce recorder."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from crossdock.core.alerts.message import Alert
from crossdock.stock.rules.counts import RefusedSummary
from crossdock.stock.rules.sellable import FbaSummary, Listing, PushOutcome, QuantityUpdate


class FakeInventory:
    """Amazon's FBA summaries for one shop; records the `since` of each read."""

    def __init__(self) -> None:
        self.summaries_by_sku: dict[str, FbaSummary | RefusedSummary] = {}
        self.changed: set[str] = set()  # what an incremental read returns
        self.reads: list[datetime | None] = []
        self.error: Exception | None = None

    def put(self, sku: str, fulfillable: int, **counts: int) -> None:
        self.summaries_by_sku[sku] = FbaSummary(sku, fulfillable, **counts)
        self.changed.add(sku)

    def refuse(self, sku: str, problem: str) -> None:
        """A summary the reader could not turn into counts (as the Amazon adapter yields it)."""
        self.summaries_by_sku[sku] = RefusedSummary(sku, (problem,))
        self.changed.add(sku)

    def summaries(self, since: datetime | None = None) -> Iterator[FbaSummary | RefusedSummary]:
        self.reads.append(since)
        if self.error is not None:
            raise self.error
        chosen = (
            self.summaries_by_sku if since is None else {s: self.summaries_by_sku[s] for s in self.changed}
        )
        self.changed = set()
        yield from chosen.values()


class Inventories:
    """InventoryOpener: one fake inventory per shop id."""

    def __init__(self, **by_shop: FakeInventory) -> None:
        self.by_shop = by_shop

    def fba(self, shop: object) -> FakeInventory:
        return self.by_shop[shop.shop_id]  # type: ignore[attr-defined]


class FakeWriter:
    """A channel: applies every quantity unless told to show something else on read-back."""

    max_batch = 50

    def __init__(self) -> None:
        self.shown: dict[str, int] = {}
        self.pushes: list[list[QuantityUpdate]] = []
        self.override: dict[str, int] = {}  # listing key → what read() shows regardless of pushes

    def push(self, updates: Sequence[QuantityUpdate]) -> list[PushOutcome]:
        self.pushes.append(list(updates))
        for update in updates:
            self.shown[update.listing.key] = update.quantity
        return [PushOutcome(update, "accepted") for update in updates]

    def read(self, listings: Sequence[Listing]) -> dict[str, int]:
        return {
            li.key: self.override.get(li.key, self.shown[li.key])
            for li in listings
            if li.key in self.shown or li.key in self.override
        }


class Writers:
    def __init__(self, writer: FakeWriter) -> None:
        self.w = writer

    def writer(self, shop_key: str) -> FakeWriter:
        return self.w


class Alerts:
    def __init__(self) -> None:
        self.sent: list[Alert] = []

    def send(self, alert: Alert, *, now: datetime) -> bool:
        self.sent.append(alert)
        return True


class Announced:
    def __init__(self) -> None:
        self.calls: list[tuple[dict[str, int], str]] = []

    def __call__(self, versions: dict[str, int], trigger: str) -> None:
        self.calls.append((dict(versions), trigger))

    @property
    def skus(self) -> set[str]:
        return {sku for versions, _ in self.calls for sku in versions}
