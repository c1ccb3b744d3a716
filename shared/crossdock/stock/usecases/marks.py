"""Stock changes → dirty marks: each changed SKU marks its listings for their shops' flushes.

A change message names a SKU and the version it reached (`{"sku", "version", "trigger"}`), or many
(`{"changes": [{"sku", "version"}, …], "trigger"}`, as a burst is announced); the older
`{"skus": [...]}` form is read at the SKUs' current versions. Marking is idempotent (a listing keeps
the newest version that marked it, and is never marked for a version it already pushed), so a
redelivered change is harmless. The shops whose listings are marked get one flush task each per
batch (`FlushTasks`); a listing found already marked names its shop too, so a flush task lost after
its mark was written is asked for again on the redelivery.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from crossdock.core.rows import name

if TYPE_CHECKING:
    from crossdock.stock.storage.stock import StockRepository


class FlushTasks(Protocol):
    def request(self, shop_keys: Iterable[str]) -> int: ...


@dataclass(frozen=True)
class StockChange:
    sku: str
    version: int | None  # None: whatever the SKU is at now

    @classmethod
    def parse(cls, body: Any) -> list[StockChange]:
        """A stock-changes message body; ValueError naming what is wrong otherwise."""
        if not isinstance(body, dict):
            raise ValueError(f"a stock change is a JSON object, got {type(body).__name__}")
        if "sku" in body:
            return [cls.one(body)]
        if "changes" in body:
            changes = body["changes"]
            if not isinstance(changes, list) or not changes:
                raise ValueError("`changes` must be a non-empty list of {sku, version}")
            return [cls.one(change) for change in changes]
        skus = body.get("skus")
        if not isinstance(skus, list) or not skus:
            raise ValueError("a stock change names a sku (or a non-empty list of skus)")
        return [cls(name(sku, "sku"), None) for sku in skus]

    @classmethod
    def one(cls, change: Any) -> StockChange:
        if not isinstance(change, dict):
            raise ValueError(f"a change is a JSON object, got {type(change).__name__}")
        version = change.get("version")
        if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
            raise ValueError(f"version must be a whole number ≥ 1, got {version!r}")
        return cls(name(change.get("sku"), "sku"), version)


@dataclass
class MarkReport:
    marked: int = 0
    already: int = 0  # listings marked for this version or newer, or already pushed
    under_review: int = 0
    shops: set[str] = field(default_factory=set)


@dataclass
class StockMarker:
    """`shop_keys`, when given, names every shop a listing can be on: a burst's listings are then read
    by BatchGetItem instead of one query per SKU."""

    stock: StockRepository
    clock: Callable[[], datetime]
    shop_keys: Callable[[], list[str]] | None = None
    report: MarkReport = field(default_factory=MarkReport)

    def mark(self, change: StockChange) -> None:
        self.mark_all([change])

    def mark_all(self, changes: list[StockChange]) -> None:
        versions: dict[str, int] = {}
        for change in changes:
            version = (
                change.version if change.version is not None else int(self.stock.sku(change.sku).version)
            )
            if version >= 1:  # version 0: a SKU crossdock keeps no stock for, nothing to push
                versions[change.sku] = max(version, versions.get(change.sku, 0))
        if not versions:
            return
        if self.shop_keys is None:
            listings = [listing for sku in versions for listing in self.stock.listings(sku)]
        else:
            listings = self.stock.listings_on(versions, self.shop_keys())
        now = self.clock()
        for listing in listings:
            version = versions[listing.sku]
            if listing.needs_review:
                self.report.under_review += 1
            elif self.stock.mark(listing, version=version, now=now):
                self.report.marked += 1
                self.report.shops.add(listing.shop_key)
            else:
                self.report.already += 1
                if listing.dirty_version is not None:
                    self.report.shops.add(listing.shop_key)

    def request_flushes(self, tasks: FlushTasks) -> int:
        shops, self.report.shops = self.report.shops, set()
        return tasks.request(sorted(shops)) if shops else 0
