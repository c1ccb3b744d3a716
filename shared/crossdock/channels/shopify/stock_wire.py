"""`inventorySetQuantities` and the inventory-level read on the wire (pure): documents, variables per
API version, idempotency keys, and the one mapping of `userErrors` to outcomes or typed faults.

Input by version (contract 2.5). ≤ 2025-10: each quantity carries `compareQuantity` (the value we last
saw accepted) with `ignoreCompareQuantity: false`; a listing never pushed has no such value, so those
go in a call of their own with `ignoreCompareQuantity: true`. ≥ 2026-01: `changeFromQuantity` on
every quantity (mandatory from 2026-04), `null` — skip the check — only for a listing never pushed:
its first push is the one moment we have no value of Shopify's to compare against, and we are the
source of truth for the quantity. ≥ 2026-01 also sends `@idempotent(key:)` (required from 2026-04).

Keys are derived from the call's content (shop, input, generation), not drawn at random: a retry of a
call whose answer was lost — by ChannelHttp, or by a later run re-pushing the same versions — carries
the same key and gets Shopify's first answer back instead of a second application (which CAS would
now report as stale). Different content never shares a key, so KEY_PARAMETER_MISMATCH cannot happen.
IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED asks for a new key: the next generation of the same content.

userErrors. `field` = ["input", "quantities", "<i>", …] names item i. Whether Shopify applies the other
items of a call with errors is not documented, so a call with any userErrors counts as applied to
none of them: named items get their outcome, the rest are sent again (see `stock.py`).

`ITEM_OUTCOMES` is the one table of what an item error means for its item (contract 2.5): stale
(compare-and-set lost), rejected (permanent: the item or location is unknown to Shopify, the item is
not stocked there or not mutable, the quantity is out of range — a person must look) or failed
(transient: IDEMPOTENCY_CONCURRENT_REQUEST, another request on it is still running — retried later).
A code missing from the table, or no code at all, counts as rejected: a person looks rather than a
retry loop. Errors about the call itself never reach the table: CALL_LEVEL codes raise
RequestRejectedError, IDEMPOTENCY_CONCURRENT_REQUEST naming no item is RetryableError (sent again
with the same key), IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED asks for a new key.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crossdock.channels.shopify.cost import Kind, Selection, query_cost
from crossdock.channels.shopify.wire import CHANNEL
from crossdock.core.errors import InvalidResponseError, RequestRejectedError, RetryableError

if TYPE_CHECKING:
    from crossdock.stock.rules.sellable import QuantityUpdate

QUANTITY_NAME = "available"
REASON = "correction"
REFERENCE_PREFIX = "gid://crossdock/StockPush/"
MAX_QUANTITIES = 250  # every Admin GraphQL input array is capped at 250 items
CHANGE_FROM_SINCE = "2026-01"  # changeFromQuantity and @idempotent appear ("unstable" sorts after)
KEY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, REFERENCE_PREFIX)

CONCURRENT = "IDEMPOTENCY_CONCURRENT_REQUEST"
PREVIOUS_FAILED = "IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED"
# userError code → the outcome of the item it names; codes not listed (or none) → "rejected".
ITEM_OUTCOMES: dict[str, str] = {
    "CHANGE_FROM_QUANTITY_STALE": "stale",
    "COMPARE_QUANTITY_STALE": "stale",
    "INVALID_INVENTORY_ITEM": "rejected",
    "INVALID_LOCATION": "rejected",
    "ITEM_NOT_STOCKED_AT_LOCATION": "rejected",
    "NON_MUTABLE_INVENTORY_ITEM": "rejected",
    "INVALID_QUANTITY_NEGATIVE": "rejected",
    "INVALID_QUANTITY_TOO_HIGH": "rejected",
    "INVALID_QUANTITY_TOO_LOW": "rejected",
    "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR": "rejected",
    CONCURRENT: "failed",
}
STALE = frozenset(code for code, outcome in ITEM_OUTCOMES.items() if outcome == "stale")
# Errors about the call as we build it: a bug or a configuration problem, never one item's fault.
CALL_LEVEL = frozenset(
    {
        "INVALID_NAME",
        "INVALID_REASON",
        "INVALID_REFERENCE_DOCUMENT",
        "COMPARE_QUANTITY_REQUIRED",
        "IDEMPOTENCY_KEY_PARAMETER_MISMATCH",
    }
)

PAYLOAD = "inventoryAdjustmentGroup { id referenceDocumentUri } userErrors { code field message }"
SET_COST = query_cost([Selection("inventorySetQuantities", Kind.MUTATION)])


class PreviousAttemptFailed(RequestRejectedError):
    """IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED: this key is spent; the same content needs a new key."""


@dataclass(frozen=True)
class UserError:
    code: str | None
    message: str
    index: int | None  # the item of the call it names, if it names one


def item_outcome(code: str | None) -> str:
    """What an error naming one item means for it: the table's class, "rejected" when unknown."""
    return ITEM_OUTCOMES.get(code or "", "rejected")


def uses_change_from(version: str) -> bool:
    return version >= CHANGE_FROM_SINCE


def set_document(version: str) -> str:
    if uses_change_from(version):
        return (
            "mutation CrossdockSetStock($input: InventorySetQuantitiesInput!, $key: String!) { "
            f"inventorySetQuantities(input: $input) @idempotent(key: $key) {{ {PAYLOAD} }} }}"
        )
    return (
        "mutation CrossdockSetStock($input: InventorySetQuantitiesInput!) { "
        f"inventorySetQuantities(input: $input) {{ {PAYLOAD} }} }}"
    )


def set_input(updates: Sequence[QuantityUpdate], version: str, reference: str) -> dict[str, Any]:
    """The `input` variable. ≤ 2025-10 expects updates that all have, or all lack, `last_accepted`."""
    change_from = uses_change_from(version)
    unchecked = not change_from and all(u.listing.last_accepted is None for u in updates)
    quantities = []
    for update in updates:
        item: dict[str, Any] = {
            "inventoryItemId": update.listing.ref["inventory_item_id"],
            "locationId": update.listing.ref["location_id"],
            "quantity": update.quantity,
        }
        if change_from:
            item["changeFromQuantity"] = update.listing.last_accepted
        elif not unchecked:
            item["compareQuantity"] = update.listing.last_accepted
        quantities.append(item)
    body: dict[str, Any] = {"name": QUANTITY_NAME, "reason": REASON, "referenceDocumentUri": reference}
    if not change_from:
        body["ignoreCompareQuantity"] = unchecked
    return {**body, "quantities": quantities}


def reference_uri(updates: Sequence[QuantityUpdate]) -> str:
    """`gid://crossdock/StockPush/<run>`: the run id is a digest of the push's (listing, version) pairs,
    so re-pushing the same versions names the same run (and rebuilds the same idempotency keys)."""
    pairs = sorted(f"{u.listing.key}@{u.version}" for u in updates)
    return REFERENCE_PREFIX + hashlib.sha256("\n".join(pairs).encode()).hexdigest()[:16]


def idempotency_key(shop_id: str, set_input: dict[str, Any], generation: int = 0) -> str:
    content = json.dumps(set_input, sort_keys=True, separators=(",", ":"))
    return str(uuid.uuid5(KEY_NAMESPACE, f"{shop_id}\n{generation}\n{content}"))


def user_errors(data: dict[str, Any], size: int) -> list[UserError]:
    """The call's userErrors, each naming its item when `field` does. Call-level errors raise:
    IDEMPOTENCY_CONCURRENT_REQUEST naming no item is retryable (same key), PREVIOUS_ATTEMPT_FAILED
    needs a new key, the rest (bad name, reason, reference, key reuse) are RequestRejectedError."""
    payload = data.get("inventorySetQuantities")
    if not isinstance(payload, dict) or not isinstance(payload.get("userErrors"), list):
        raise InvalidResponseError(CHANNEL, "answer lacks data.inventorySetQuantities.userErrors")
    errors: list[UserError] = []
    call_level: list[str] = []
    for raw in payload["userErrors"]:
        error = raw if isinstance(raw, dict) else {"message": str(raw)}
        code, message, field = error.get("code"), str(error.get("message") or ""), error.get("field")
        path = [str(part) for part in field] if isinstance(field, list) else []
        named = len(path) >= 3 and path[:2] == ["input", "quantities"] and path[2].isdigit()
        index = int(path[2]) if named and int(path[2]) < size else None
        if code == CONCURRENT and index is None:
            raise RetryableError(CHANNEL, message, code=CONCURRENT)
        if code == PREVIOUS_FAILED:
            raise PreviousAttemptFailed(CHANNEL, message, code=PREVIOUS_FAILED)
        if code in CALL_LEVEL or (len(path) >= 2 and path[0] == "input" and path[1] != "quantities"):
            call_level.append(f"{code}: {message}")
            continue
        errors.append(UserError(code if isinstance(code, str) else None, message, index))
    if call_level:
        raise RequestRejectedError(CHANNEL, "; ".join(call_level)[:300], code=call_level[0].split(":")[0])
    return errors
