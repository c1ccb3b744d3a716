"""eBay stock writer: absolute quantities through Sell Inventory bulkUpdatePriceQuantity.

Each update becomes one `PriceQuantity` request that sets the same quantity on the inventory item
(`shipToLocationAvailability.quantity`, all marketplaces) and on its offer (`availableQuantity`, the
listing's marketplace): eBay shows the smaller of the two, so setting one level only would leave the
other capping the listing. Price is never sent. Listing.ref = {"sku", "offer_id"}; a listing without
an offer id is rejected without a call. Up to 25 requests per call; one call never carries the same
sku or offer twice (eBay refuses duplicates), so a repeated listing goes to the next call, in order.

Auth: its own token with `sell.inventory` (shop option `inventory_oauth_scope` overrides; the order
source keeps its read-only fulfillment scope). Rates: eBay publishes daily quotas only, so each
inventory operation is paced like the order calls at 5/s, burst 25; shop option
`inventory_calls_per_second` sets another pace. Each listing may be revised 250 times a calendar day;
beyond that eBay refuses the entry: a "failed" outcome with its errorId, retried later (it clears the
next day). Which per-entry errorIds are permanent and which transient: `stock_wire.py.ERROR_OUTCOMES`.

Read-back: one bulkGetInventoryItem per 25 skus (item level) and one getOffer per listing (offer
level); the listing shows min(item, offer). A listing eBay no longer knows is left out of the answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

import requests

from crossdock.channels.ebay.oauth import EbayTokens
from crossdock.channels.ebay.stock_wire import (
    INVENTORY_PATH,
    MAX_REQUESTS,
    bulk_get_body,
    bulk_update_body,
    offer_url,
    parse_bulk_get,
    parse_bulk_update,
    parse_offer,
)
from crossdock.core.ratelimit import Rate
from crossdock.stock.rules.sellable import Listing, PushOutcome, QuantityUpdate

if TYPE_CHECKING:
    from crossdock.channels.spec import ShopContext

BULK_UPDATE_OPERATION = "bulkUpdatePriceQuantity"
BULK_GET_OPERATION = "bulkGetInventoryItem"
OFFER_OPERATION = "getOffer"
STOCK_RATES = {op: Rate(5.0, 25.0) for op in (BULK_UPDATE_OPERATION, BULK_GET_OPERATION, OFFER_OPERATION)}
SELL_INVENTORY_SCOPE = "https://api.ebay.com/oauth/api_scope/sell.inventory"
DEFAULT_API = "https://api.ebay.com"
DEFAULT_MARKETPLACE = "EBAY_US"


def batches(updates: Sequence[tuple[int, QuantityUpdate]]) -> list[list[tuple[int, QuantityUpdate]]]:
    """Calls of at most 25 requests, in order, none naming a sku or offer twice."""
    calls: list[list[tuple[int, QuantityUpdate]]] = []
    names: set[str] = set()
    for position, update in updates:
        ref = update.listing.ref
        mine = {"sku:" + ref["sku"], "offer:" + ref["offer_id"]}
        if not calls or len(calls[-1]) == MAX_REQUESTS or mine & names:
            calls.append([])
            names = set()
        calls[-1].append((position, update))
        names |= mine
    return calls


class EbayStockWriter:
    """Sets quantities on one eBay seller's listings. Options: inventory_oauth_scope,
    inventory_calls_per_second, marketplace_id."""

    max_batch = MAX_REQUESTS

    def __init__(self, ctx: ShopContext) -> None:
        self.ctx = ctx
        self.channel = ctx.http.channel
        self.api = ctx.endpoint("api", DEFAULT_API)
        self.marketplace = str(ctx.settings.get("marketplace_id") or DEFAULT_MARKETPLACE)
        now = ctx.now
        clock: Callable[[], float] = (lambda: now().timestamp()) if now else time.monotonic
        self.tokens = EbayTokens(
            ctx.http,
            identity_url=ctx.endpoint("identity", DEFAULT_API),
            credentials=ctx.credentials,
            scope=str(ctx.settings.get("inventory_oauth_scope") or SELL_INVENTORY_SCOPE),
            clock=clock,
        )
        pace = ctx.settings.get("inventory_calls_per_second")
        if pace:
            for operation in STOCK_RATES:
                ctx.http.observe_rate(operation, float(pace))

    def push(self, updates: Sequence[QuantityUpdate]) -> list[PushOutcome]:
        outcomes: dict[int, PushOutcome] = {}
        sendable = []
        for position, update in enumerate(updates):
            if update.listing.ref.get("sku") and update.listing.ref.get("offer_id"):
                sendable.append((position, update))
            else:
                outcomes[position] = PushOutcome(update, "rejected", "Listing.ref needs sku and offer_id")
        for call in batches(sendable):
            sent = [update for _, update in call]
            answered = self.tokens.call(
                BULK_UPDATE_OPERATION,
                self._post("bulk_update_price_quantity", bulk_update_body(sent)),
                partial(parse_bulk_update, self.channel, updates=sent),
            )
            outcomes.update(zip((position for position, _ in call), answered, strict=True))
        return [outcomes[position] for position in range(len(updates))]

    def read(self, listings: Sequence[Listing]) -> dict[str, int]:
        skus = list(dict.fromkeys(listing.ref.get("sku") or listing.sku for listing in listings))
        items: dict[str, int] = {}
        for start in range(0, len(skus), MAX_REQUESTS):
            chunk = skus[start : start + MAX_REQUESTS]
            items.update(
                self.tokens.call(
                    BULK_GET_OPERATION,
                    self._post("bulk_get_inventory_item", bulk_get_body(chunk)),
                    partial(parse_bulk_get, self.channel, skus=chunk),
                )
            )
        shown: dict[str, int] = {}
        for listing in listings:
            item = items.get(listing.ref.get("sku") or listing.sku)
            offer_id = listing.ref.get("offer_id")
            offer = self._offer(offer_id) if item is not None and offer_id else item
            if item is not None and offer is not None:
                shown[listing.key] = min(item, offer)
        return shown

    # -- wire -----------------------------------------------------------------------------------
    def _headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
            "X-EBAY-C-MARKETPLACE-ID": self.marketplace,
        }

    def _post(
        self, resource: str, body: dict[str, object]
    ) -> Callable[[requests.Session, tuple[float, float], str], requests.Response]:
        url = f"{self.api}{INVENTORY_PATH}/{resource}"

        def send(session: requests.Session, timeout: tuple[float, float], token: str) -> requests.Response:
            return session.post(url, json=body, headers=self._headers(token), timeout=timeout)

        return send

    def _offer(self, offer_id: str) -> int | None:
        url = offer_url(self.api, offer_id)

        def send(session: requests.Session, timeout: tuple[float, float], token: str) -> requests.Response:
            headers = {k: v for k, v in self._headers(token).items() if k != "Content-Type"}
            return session.get(url, headers=headers, timeout=timeout)

        return self.tokens.call(OFFER_OPERATION, send, partial(parse_offer, self.channel))
