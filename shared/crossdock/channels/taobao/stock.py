"""Taobao/Tmall stock push through the TOP gateway: `taobao.skus.quantity.update` for SKUs (20 of
one item per call), `taobao.item.quantity.update` for single-SKU items, full quantities (type=1).

`max_batch` is 20, the most one call carries. A push may hold more updates, or updates of several
items: they are split per item and per 20 (`stock_wire.py.plan_calls`), so a push of N updates
costs one call per single-SKU item plus ⌈SKUs of the item / 20⌉ per multi-SKU item. Calls go out
in order; a whole-call fault (auth, retries exhausted, a deferred wait) raises its ChannelError and
the updates not yet answered are simply pushed again next time (full quantities: idempotent).

TOP accepts or refuses a call as a whole (`stock_wire.py.REFUSALS` says what a refusal means).
A permanent refusal of a call carrying one update rejects it, with TOP's sub_code. Of a call carrying
several SKUs, it may be one SKU's fault (deleted, invalid) while its call-mates are fine, so the call
is sent again in halves (bisection) until each refused half holds one SKU: only the guilty SKUs end
"rejected", the others "accepted". With g guilty SKUs among n, that costs at most about
1 + 2·g·⌈log₂ n⌉ calls (20 SKUs, one guilty: at most 11). An item-wide refusal (the item does not
exist, was deleted) rejects the whole call at once: every SKU in it belongs to that item. A transient
refusal (`isp.*`, service unavailable) marks the call's updates "failed" with its code, without
bisecting: it says nothing about any one SKU, and the caller retries them with backoff. TOP has no
compare-and-set, so no update is ever "stale".

Read-back: `taobao.item.seller.get` (fields `num_iid,num,sku`), one call per item, returns the
item's `num` and every SKU's `quantity`. An item TOP says the seller does not have (an `isv.*`
refusal) and a SKU missing from its item are left out of the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from crossdock.channels.taobao.stock_wire import (
    READ_FIELDS,
    READ_METHOD,
    SKUS_PER_CALL,
    StockCall,
    envelope_of,
    halves,
    parse_update,
    plan_calls,
    ref_ids,
    refusal_of,
)
from crossdock.channels.taobao.wire import CHANNEL, DEFAULT_ROUTER, TopCredentials, TopGateway, top_envelope
from crossdock.core.errors import InvalidResponseError, RequestRejectedError
from crossdock.stock.rules.sellable import Listing, PushOutcome, QuantityUpdate

if TYPE_CHECKING:
    from crossdock.channels.spec import ShopContext


class TaobaoStockWriter:
    """Sets and reads one seller's item and SKU quantities."""

    max_batch = SKUS_PER_CALL

    def __init__(self, ctx: ShopContext) -> None:
        clock = ctx.now or (lambda: datetime.now(UTC))
        url = ctx.endpoint("api", DEFAULT_ROUTER)
        self.gateway = TopGateway(ctx.http, url, TopCredentials.from_secret(ctx.credentials), clock)

    def push(self, updates: Sequence[QuantityUpdate]) -> list[PushOutcome]:
        calls, refused = plan_calls(updates)
        outcomes = {
            position: PushOutcome(updates[position], "rejected", detail)
            for position, detail in refused.items()
        }
        for call in calls:
            self._settle(call, updates, outcomes)
        return [outcomes[position] for position in range(len(updates))]

    def _settle(
        self, call: StockCall, updates: Sequence[QuantityUpdate], outcomes: dict[int, PushOutcome]
    ) -> None:
        """Send `call`; a permanent refusal of several SKUs, not item-wide, is bisected."""
        refusal = self.gateway.call(call.method, call.params, parse_update(call))
        if refusal is None:
            outcomes.update((p, PushOutcome(updates[p], "accepted")) for p in call.positions)
        elif refusal.status == "rejected" and len(call.positions) > 1 and not refusal.item_wide:
            for half in halves(call, updates):
                self._settle(half, updates, outcomes)
        else:
            outcomes.update(
                (p, PushOutcome(updates[p], refusal.status, refusal.detail, code=refusal.code))
                for p in call.positions
            )

    def read(self, listings: Sequence[Listing]) -> dict[str, int]:
        by_item: dict[str, list[Listing]] = {}
        for listing in listings:
            num_iid = ref_ids(listing)[0]
            if num_iid.isdigit():
                by_item.setdefault(num_iid, []).append(listing)
        shown: dict[str, int] = {}
        for num_iid, item_listings in by_item.items():
            params = {"fields": READ_FIELDS, "num_iid": num_iid}
            item = self.gateway.call(READ_METHOD, params, parse_item(num_iid))
            if item is not None:
                shown.update(shown_quantities(item, item_listings))
        return shown


def parse_item(num_iid: str) -> Callable[[requests.Response], dict[str, Any] | None]:
    """The item `taobao.item.seller.get` returned, or None when TOP says the seller has no such item."""

    def parse(response: requests.Response) -> dict[str, Any] | None:
        try:
            data = top_envelope(CHANNEL, response, envelope_of(READ_METHOD))
        except RequestRejectedError:
            refusal = refusal_of(response)
            if refusal is None or refusal.status != "rejected":
                raise
            return None
        item = data.get("item")
        if not isinstance(item, dict) or str(item.get("num_iid")) != num_iid:
            raise InvalidResponseError(CHANNEL, f"{READ_METHOD} answer lacks item {num_iid}", status=200)
        return item

    return parse


def shown_quantities(item: Mapping[str, Any], listings: Sequence[Listing]) -> dict[str, int]:
    """What the item shows for each listing: its SKU's `quantity`, or the item's `num` for a
    single-SKU listing. A SKU the item no longer has is left out (the read-back reports it)."""
    holder = item.get("skus")
    skus = holder.get("sku", []) if isinstance(holder, dict) else []
    if not isinstance(skus, list):
        raise InvalidResponseError(
            CHANNEL, f"item {item.get('num_iid')} has a malformed skus list", status=200
        )
    by_id = {str(sku.get("sku_id")): sku.get("quantity") for sku in skus if isinstance(sku, dict)}
    shown: dict[str, int] = {}
    for listing in listings:
        sku_id = ref_ids(listing)[1]
        if sku_id and sku_id not in by_id:
            continue
        shown[listing.key] = count(by_id[sku_id] if sku_id else item.get("num"), item)
    return shown


def count(value: Any, item: Mapping[str, Any]) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise InvalidResponseError(
            CHANNEL, f"item {item.get('num_iid')} shows quantity {value!r}", status=200
        )
    return int(value)
