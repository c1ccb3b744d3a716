"""Taobao stock calls, pure: which TOP call carries which updates, with what parameters, and what
its answer means.

Calls. SKUs of one item go together in `taobao.skus.quantity.update` (`num_iid`,
`skuid_quantities="skuId:qty;skuId:qty"`, at most 20 SKUs of that one item per call). A listing
without `sku_id` is a single-SKU item: `taobao.item.quantity.update` (`num_iid`, `quantity`), one
per call. Always `type=1`: the full quantity, so sending an update twice is harmless. Updates are
grouped by item in the order items first appear; a SKU that appears twice goes into a later call,
so the later update wins. An update never spans two calls.

Answers. TOP refuses a call as a whole. A business refusal (`isv.*` sub-code behind a non-gateway
code, e.g. 15 "Remote service error" or 41 "Invalid Arguments") means every update of that call is
"rejected" with TOP's words; any other error stays the typed fault `taobao_wire` maps it to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import requests

from crossdock.adapters.errors import InvalidResponseError, RequestRejectedError
from crossdock.adapters.taobao_wire import CHANNEL, top_envelope
from crossdock.domain.stock import Listing, QuantityUpdate

SKUS_METHOD = "taobao.skus.quantity.update"
ITEM_METHOD = "taobao.item.quantity.update"
READ_METHOD = "taobao.item.seller.get"
SKUS_PER_CALL = 20  # "最多支持20个SKU同时修改"
FULL_QUANTITY = "1"  # type=1: full update; 2 would be a delta
READ_FIELDS = "num_iid,num,sku"  # `sku` returns every Sku field, quantity among them
# Codes the gateway answers before the API runs (method, signature, session, app key, timestamp,
# missing argument): our request or our credentials are wrong, not the seller's item.
GATEWAY_CODES = frozenset({9, 21, 22, 25, 26, 27, 28, 29, 30, 31, 40})


@dataclass(frozen=True)
class StockCall:
    """One TOP call and the positions (in the pushed sequence) of the updates it carries."""

    method: str
    num_iid: str
    positions: tuple[int, ...]
    params: dict[str, str]


def ref_ids(listing: Listing) -> tuple[str, str]:
    """(`num_iid`, `sku_id`) as strings; `sku_id` is "" for a single-SKU item."""
    return str(listing.ref.get("num_iid") or "").strip(), str(listing.ref.get("sku_id") or "").strip()


def refusal_before_sending(update: QuantityUpdate) -> str | None:
    """Why an update cannot be sent at all (TOP would refuse it, taking its call-mates with it)."""
    num_iid, sku_id = ref_ids(update.listing)
    if not num_iid.isdigit() or (sku_id and not sku_id.isdigit()):
        return f"listing ref {dict(update.listing.ref)} lacks a numeric num_iid/sku_id"
    if update.quantity < 0:
        return f"quantity {update.quantity} is negative; a full update (type=1) must be ≥ 0"
    return None


def plan_calls(updates: Sequence[QuantityUpdate]) -> tuple[list[StockCall], dict[int, str]]:
    """The calls that carry `updates`, in order, and the updates refused before sending."""
    refused: dict[int, str] = {}
    by_item: dict[str, list[int]] = {}
    for position, update in enumerate(updates):
        reason = refusal_before_sending(update)
        if reason:
            refused[position] = reason
        else:
            by_item.setdefault(ref_ids(update.listing)[0], []).append(position)
    calls: list[StockCall] = []
    for num_iid, positions in by_item.items():
        chunk: dict[str, int] = {}  # sku_id → position, for the call being filled
        for position in positions:
            update = updates[position]
            sku_id = ref_ids(update.listing)[1]
            if not sku_id:
                params = {"num_iid": num_iid, "quantity": str(update.quantity), "type": FULL_QUANTITY}
                calls.append(StockCall(ITEM_METHOD, num_iid, (position,), params))
                continue
            if len(chunk) == SKUS_PER_CALL or sku_id in chunk:
                calls.append(skus_call(num_iid, chunk, updates))
                chunk = {}
            chunk[sku_id] = position
        if chunk:
            calls.append(skus_call(num_iid, chunk, updates))
    return calls, refused


def skus_call(num_iid: str, chunk: Mapping[str, int], updates: Sequence[QuantityUpdate]) -> StockCall:
    pairs = ";".join(f"{sku_id}:{updates[position].quantity}" for sku_id, position in chunk.items())
    params = {"num_iid": num_iid, "skuid_quantities": pairs, "type": FULL_QUANTITY}
    return StockCall(SKUS_METHOD, num_iid, tuple(chunk.values()), params)


def business_refusal(error: RequestRejectedError) -> str | None:
    """TOP's words when `error` refuses the seller's items rather than our request, else None."""
    code, _, sub_code = (error.code or "").partition(":")
    if not code.isdigit() or int(code) in GATEWAY_CODES or not sub_code.startswith("isv."):
        return None
    return str(error).removeprefix(f"{CHANNEL}: ")


def envelope_of(method: str) -> str:
    """TOP's response key: the method without `taobao.`, dots as underscores, plus `_response`."""
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


def parse_update(call: StockCall) -> Callable[[requests.Response], str | None]:
    """None when TOP took the call's updates, or TOP's refusal for all of them."""

    def parse(response: requests.Response) -> str | None:
        try:
            data = top_envelope(CHANNEL, response, envelope_of(call.method))
        except RequestRejectedError as exc:
            refusal = business_refusal(exc)
            if refusal is None:
                raise
            return refusal
        item = data.get("item")
        if not isinstance(item, dict) or str(item.get("num_iid")) != call.num_iid:
            raise InvalidResponseError(CHANNEL, f"{call.method} answer lacks item {call.num_iid}", status=200)
        return None

    return parse
