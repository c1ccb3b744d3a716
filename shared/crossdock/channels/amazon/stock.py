"""Amazon stock writer: seller-fulfilled (DEFAULT) quantities through a feed or per SKU.

Why two paths: a JSON_LISTINGS_FEED costs 3 SP-API calls and an upload for up to 25,000 SKUs, but
createFeed allows 1 call per 120 s (and 5 feeds per 5 minutes per region) and Amazon processes a feed
in minutes; `patchListingsItem` answers at once at 5 SKUs per second. So a marketplace's updates go
as one feed per 25,000 when there are more than `feed_threshold` of them (shop setting, default 5),
else one PATCH each (listings.py). Both send the same patch: replace
`/attributes/fulfillment_availability` with `[{"fulfillment_channel_code": "DEFAULT", "quantity"}]`.

`Listing.ref` holds `seller_sku` (default: the Listing's sku), `marketplace_id` (default: the shop's
first) and `product_type` (required: an update without one is rejected unsent). Shop settings:
`seller_id` (required), `marketplace_ids`, `feed_threshold`, `feed_first_poll_s` (30),
`feed_poll_interval_s` (10), `feed_max_wait_s` (60: how long `push` waits for a feed's report before
answering "feed pending <feedId>"; `feeds.outcomes(feedId, updates)` settles it later).
Two updates of one SKU in one push: only the highest version is sent, the others are "stale".
Amazon has no compare-and-set: the read-back (`read`, getListingsItem) is the check.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from crossdock.channels.amazon.feed_document import MAX_MESSAGES
from crossdock.channels.amazon.feeds import FeedTiming, ListingsFeeds
from crossdock.channels.amazon.listings import ListingsItems, seller_sku
from crossdock.channels.amazon.spapi import SpApi
from crossdock.stock.rules.sellable import Listing, PushOutcome, QuantityUpdate

if TYPE_CHECKING:
    from crossdock.channels.spec import ShopContext

DEFAULT_FEED_THRESHOLD = 5


class AmazonStockWriter:
    max_batch = MAX_MESSAGES

    def __init__(
        self,
        ctx: ShopContext,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = SpApi(ctx)
        self.api.require_seller_id()
        settings = ctx.settings
        self.feed_threshold = int(settings.get("feed_threshold", DEFAULT_FEED_THRESHOLD))
        self.items = ListingsItems(self.api)
        defaults = FeedTiming()
        timing = FeedTiming(
            first_poll_s=float(settings.get("feed_first_poll_s", defaults.first_poll_s)),
            poll_interval_s=float(settings.get("feed_poll_interval_s", defaults.poll_interval_s)),
            max_wait_s=float(settings.get("feed_max_wait_s", defaults.max_wait_s)),
        )
        self.feeds = ListingsFeeds(self.api, timing, sleep=sleep, clock=clock)

    def marketplace(self, listing: Listing) -> str:
        return listing.ref.get("marketplace_id") or self.api.marketplace_ids[0]

    def push(self, updates: Sequence[QuantityUpdate]) -> list[PushOutcome]:
        outcomes: dict[int, PushOutcome] = {}
        latest: dict[tuple[str, str], int] = {}  # (marketplace, sku) → index of the update to send
        for index, update in enumerate(updates):
            if not update.listing.ref.get("product_type"):
                detail = "the listing's ref has no product_type (Amazon needs it for every patch)"
                outcomes[index] = PushOutcome(update, "rejected", detail)
                continue
            key = (self.marketplace(update.listing), seller_sku(update.listing))
            kept = latest.get(key)
            if kept is not None and updates[kept].version > update.version:
                outcomes[index] = self._superseded(update, updates[kept])
                continue
            if kept is not None:
                outcomes[kept] = self._superseded(updates[kept], update)
            latest[key] = index
        by_marketplace: dict[str, list[int]] = {}
        for (marketplace, _), index in sorted(latest.items(), key=lambda item: item[1]):
            by_marketplace.setdefault(marketplace, []).append(index)
        for marketplace, indexes in by_marketplace.items():
            outcomes.update(self._push_marketplace(updates, indexes, marketplace))
        return [outcomes[index] for index in range(len(updates))]

    def _push_marketplace(
        self, updates: Sequence[QuantityUpdate], indexes: list[int], marketplace: str
    ) -> dict[int, PushOutcome]:
        if len(indexes) <= self.feed_threshold:
            return {
                i: self.items.patch(updates[i], marketplace, updates[i].listing.ref["product_type"])
                for i in indexes
            }
        results: dict[int, PushOutcome] = {}
        for start in range(0, len(indexes), self.max_batch):
            chunk = indexes[start : start + self.max_batch]
            batch = [updates[i] for i in chunk]
            types = [update.listing.ref["product_type"] for update in batch]
            results.update(zip(chunk, self.feeds.push(batch, types, marketplace), strict=True))
        return results

    @staticmethod
    def _superseded(update: QuantityUpdate, newer: QuantityUpdate) -> PushOutcome:
        detail = f"superseded by version {newer.version} of the same SKU in this push"
        return PushOutcome(update, "stale", detail)

    def read(self, listings: Sequence[Listing]) -> dict[str, int]:
        """Each listing's DEFAULT quantity (getListingsItem); a SKU Amazon does not know is left out."""
        shown: dict[str, int] = {}
        for listing in listings:
            quantity = self.items.quantity(listing, self.marketplace(listing))
            if quantity is not None:
                shown[listing.key] = quantity
        return shown
