"""Taobao stock calls, pure: which TOP call carries which updates, with what parameters, and what
its answer means.

Calls. SKUs of one item go together in `taobao.skus.quantity.update` (`num_iid`,
`skuid_quantities="skuId:qty;skuId:qty"`, at most 20 SKUs of that one item per call). A listing
without `sku_id` is a single-SKU item: `taobao.item.quantity.update` (`num_iid`, `quantity`), one
per call. Always `type=1`: the full quantity, so sending an update twice is harmless. Updates are
grouped by item in the order items first appear; a SKU that appears twice goes into a later call,
so the later update wins. An update never spans two calls; `halves` splits a call in two for the
writer's bisection.

Answers. TOP accepts or refuses a call as a whole (`error_response` in an HTTP 200). `REFUSALS` is the
one table of what a refusal means for the call's updates, keyed by the sub_code's family (the part
before ":", without Tmall's "-tmall" suffix), then by its prefix, then by the bare code:
- permanent ("rejected": retrying cannot help, the listing goes to a person): `isv.*` — the item or
  SKU does not exist or is not the seller's, an invalid parameter, an update the item refuses. An
  `isv.*` family we do not know is permanent too: a person looks rather than a retry loop. Item-wide
  families (`isv.item-not-exist`, `isv.item-is-delete`, `isv.item-has-sku`) condemn every SKU of the
  call, which all belong to that item; the others may be one SKU's fault, so the writer bisects.
- transient ("failed": the caller retries with backoff): `isp.*` (TOP's service side: remote service
  error, timeouts, service unavailable) and code 10 "Service Currently Unavailable". They are outcomes,
  not in-call retries: TOP answered for the updates, and the caller's retry keeps the code visible.
Not in the table, so they stay the typed fault `wire.py` maps them to: gateway codes about our
request or credentials (`GATEWAY_CODES`, auth 11/12/25–29 → AuthError), throttling (7/8,
`accesscontrol.*` → ThrottledError, waited out by ChannelHttp: the ban is about our pace, not about
any update), and anything without a sub_code we can place (InvalidResponseError, retried).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests

from crossdock.channels.taobao.wire import CHANNEL, top_envelope
from crossdock.core.errors import (
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)

if TYPE_CHECKING:
    from crossdock.stock.rules.sellable import Listing, QuantityUpdate

SKUS_METHOD = "taobao.skus.quantity.update"
ITEM_METHOD = "taobao.item.quantity.update"
READ_METHOD = "taobao.item.seller.get"
SKUS_PER_CALL = 20  # "最多支持20个SKU同时修改"
FULL_QUANTITY = "1"  # type=1: full update; 2 would be a delta
READ_FIELDS = "num_iid,num,sku"  # `sku` returns every Sku field, quantity among them
# Codes the gateway answers before the API runs (method, signature, session, app key, timestamp,
# missing argument): our request or our credentials are wrong, not the seller's item.
GATEWAY_CODES = frozenset({9, 21, 22, 25, 26, 27, 28, 29, 30, 31, 40})
PERMANENT, PERMANENT_ITEM, TRANSIENT = ("rejected", False), ("rejected", True), ("failed", False)
# sub_code family, prefix or bare code → (outcome of the call's updates, whether the whole item is refused)
REFUSALS: dict[str, tuple[str, bool]] = {
    "isv.item-not-exist": PERMANENT_ITEM,  # no such item, or another seller's
    "isv.item-is-delete": PERMANENT_ITEM,  # the item was deleted
    "isv.item-has-sku": PERMANENT_ITEM,  # an item-level quantity for an item with SKUs
    "isv.sku-not-exist": PERMANENT,  # the item no longer has this SKU
    "isv.invalid-parameter": PERMANENT,  # e.g. a quantity or sku id the item refuses
    "isv.item-quantity-item-update-service-error": PERMANENT,  # the item refuses this update
    "isv.": PERMANENT,  # any other isv.*: about the seller's data; a person looks
    "isp.": TRANSIENT,  # TOP's service side failed: try again later
    "10": TRANSIENT,  # Service Currently Unavailable
}


@dataclass(frozen=True)
class Refusal:
    """What TOP's refusal of a call means for every update it carried."""

    status: str  # "rejected" (permanent) or "failed" (transient)
    code: str  # TOP's sub_code, or its code when it gave none
    detail: str  # "code: message"
    item_wide: bool = False  # the item itself is refused, so every SKU of the call is


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


def halves(call: StockCall, updates: Sequence[QuantityUpdate]) -> list[StockCall]:
    """A SKUs call of two or more updates as two calls, each carrying half of them, in order."""
    if call.method != SKUS_METHOD or len(call.positions) < 2:
        raise ValueError(f"only a {SKUS_METHOD} call of two or more SKUs can be halved")
    middle = len(call.positions) // 2
    parts = (call.positions[:middle], call.positions[middle:])
    return [
        skus_call(call.num_iid, {ref_ids(updates[p].listing)[1]: p for p in part}, updates) for part in parts
    ]


def refusal_class(code: int, sub_code: str) -> tuple[str, bool] | None:
    """The table's (outcome, item-wide) for a TOP error, or None when it is no verdict on the updates."""
    if code in GATEWAY_CODES:
        return None
    family = sub_code.partition(":")[0].removesuffix("-tmall")
    prefix = family[:4] if family.startswith(("isv.", "isp.")) else ""
    for key in (family, prefix, str(code)):
        if key and key in REFUSALS:
            return REFUSALS[key]
    return None


def refusal_of(response: requests.Response) -> Refusal | None:
    """TOP's refusal of the call in `response`, when the table holds it as a verdict on the updates."""
    try:
        body = response.json() if response.status_code == 200 else None
    except ValueError:
        return None
    error = body.get("error_response") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None
    try:
        code = int(error.get("code", -1))
    except (TypeError, ValueError):
        return None
    sub_code = str(error.get("sub_code") or "")
    found = refusal_class(code, sub_code)
    if found is None:
        return None
    status, item_wide = found
    tag = sub_code or str(code)
    message = str(error.get("sub_msg") or error.get("msg") or "")
    return Refusal(status, tag, f"{tag}: {message}", item_wide)


def envelope_of(method: str) -> str:
    """TOP's response key: the method without `taobao.`, dots as underscores, plus `_response`."""
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


def parse_update(call: StockCall) -> Callable[[requests.Response], Refusal | None]:
    """None when TOP took the call's updates, TOP's refusal of all of them, or the typed fault."""

    def parse(response: requests.Response) -> Refusal | None:
        try:
            data = top_envelope(CHANNEL, response, envelope_of(call.method))
        except ThrottledError:
            raise
        except (RequestRejectedError, RetryableError):
            refusal = refusal_of(response)
            if refusal is None:
                raise
            return refusal
        item = data.get("item")
        if not isinstance(item, dict) or str(item.get("num_iid")) != call.num_iid:
            raise InvalidResponseError(CHANNEL, f"{call.method} answer lacks item {call.num_iid}", status=200)
        return None

    return parse
