"""One sandbox store's inventory, and `inventorySetQuantities` as Shopify applies it.

Items `gid://shopify/InventoryItem/<n>` stocked at locations `gid://shopify/Location/<n>`; a level holds
one `available` quantity (`on_hand` mirrors it: nothing is committed in the sandbox). A call is checked
whole and applied all-or-nothing — any userError and nothing changes (the contract's conservative
reading; Shopify does not document partial application). Per item, in order: known item
(INVALID_INVENTORY_ITEM), known location (INVALID_LOCATION), stocked there
(ITEM_NOT_STOCKED_AT_LOCATION), not twice in the call (NO_DUPLICATE_…), quantity within
0..1,000,000,000, a refusal scripted for the item (`script`), then compare-and-set by era
(`inventory_rules.py`). Every error names its item: `field` = ["input", "quantities", "<i>",
"<input field>"]. A scripted IDEMPOTENCY_CONCURRENT_REQUEST (a code from 2026-01 on; legacy calls
leave it pending) is transient: its answer is never kept as the key's answer, so the same content
sent again is applied.

Idempotency (≥ 2026-01, `@idempotent(key:)`): a key answers the same input with its first answer,
never applying twice; a different input gets IDEMPOTENCY_KEY_PARAMETER_MISMATCH; a key whose attempt
ended in an internal error answers IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED (the sandbox's reading of
that code). Test hooks: `frozen` items accept updates without applying them, `hold` answers the next
keyed calls IDEMPOTENCY_CONCURRENT_REQUEST, `lose` applies the next calls and loses their answers,
and each item's `history` lists the quantities really applied.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crossdock_local.sandboxes.clock import iso_z
from crossdock_local.sandboxes.shopify.inventory_rules import (
    NAMES,
    Problem,
    call_errors,
    expected_problem,
    item_error,
    item_problem,
    payload,
    user_error,
)
from crossdock_local.sandboxes.shopify.inventory_sdl import ERAS

ITEM_GID, LOCATION_GID = "gid://shopify/InventoryItem/", "gid://shopify/Location/"
ITEM_BASE, LOCATION_BASE, GROUP_BASE = 44_100_000_000_000, 79_800_000_000, 131_000_000_000
CONCURRENT = "IDEMPOTENCY_CONCURRENT_REQUEST"


@dataclass
class Scripted:
    """The userError the next updates of one item get: `times` more, or every one (None)."""

    code: str
    times: int | None = None


@dataclass
class StockItem:
    number: int
    sku: str
    levels: dict[int, int]  # location number → available
    frozen: bool = False
    history: list[int] = field(default_factory=list)

    def render(self) -> dict[str, Any]:
        gid = f"{ITEM_GID}{self.number}"
        return {
            "id": gid,
            "sku": self.sku,
            "tracked": True,
            "legacyResourceId": str(self.number),
            "_item": self,
        }


@dataclass
class Inventory:
    items: dict[int, StockItem] = field(default_factory=dict)
    by_sku: dict[str, int] = field(default_factory=dict)
    locations: dict[int, str] = field(default_factory=dict)
    keys: dict[str, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    spent: set[str] = field(default_factory=set)
    hold: int = 0
    lose: int = 0
    scripted: dict[int, Scripted] = field(default_factory=dict)  # item number → its refusal
    groups: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def add_location(self, name: str) -> str:
        with self.lock:
            number = LOCATION_BASE + len(self.locations) + 1
            self.locations[number] = name
            return f"{LOCATION_GID}{number}"

    def add_item(self, sku: str, quantity: int) -> dict[str, str]:
        """A tracked item stocked at the shop's first location; its Listing.ref."""
        with self.lock:
            if not self.locations:
                self.add_location("Shop location")
            number = min(self.locations)
            item = StockItem(ITEM_BASE + len(self.items) + 1, sku, {number: quantity})
            self.items[item.number], self.by_sku[sku] = item, item.number
            return {"inventory_item_id": f"{ITEM_GID}{item.number}", "location_id": f"{LOCATION_GID}{number}"}

    def item(self, gid: str) -> StockItem | None:
        prefix, _, tail = gid.rpartition("/")
        return self.items.get(int(tail)) if prefix + "/" == ITEM_GID and tail.isdigit() else None

    def sku_item(self, sku: str) -> StockItem | None:
        number = self.by_sku.get(sku)
        return self.items[number] if number is not None else None

    def number(self, location_gid: str) -> int | None:
        prefix, _, tail = location_gid.rpartition("/")
        found = prefix + "/" == LOCATION_GID and tail.isdigit() and int(tail) in self.locations
        return int(tail) if found else None

    def spend(self, key: str) -> None:
        """An internal error met a call with this key before it was answered: the key is spent."""
        with self.lock:
            if key not in self.keys:
                self.spent.add(key)

    def take_lost(self) -> bool:
        """Whether the answer of the mutation just applied is to be lost (the `lose` hook)."""
        with self.lock:
            if self.lose <= 0:
                return False
            self.lose -= 1
            return True

    def script(self, item: StockItem, refusal: Scripted | None) -> None:
        """Refuse the item's next updates with `refusal` (None: stop refusing)."""
        with self.lock:
            if refusal is None:
                self.scripted.pop(item.number, None)
            else:
                item_error(refusal.code)  # a code the sandbox can render
                self.scripted[item.number] = refusal

    def _scripted(self, item: StockItem, era: str) -> Problem | None:
        refusal = self.scripted.get(item.number)
        if refusal is None or (refusal.code == CONCURRENT and era == ERAS[0]):
            return None
        if refusal.times is not None:
            refusal.times -= 1
            if refusal.times <= 0:
                del self.scripted[item.number]
        return item_error(refusal.code)

    def render_location(self, number: int) -> dict[str, Any]:
        return {"id": f"{LOCATION_GID}{number}", "name": self.locations[number]}

    # -- the mutation ------------------------------------------------------------------------------
    def set_quantities(self, data: dict[str, Any], era: str, key: str | None) -> dict[str, Any]:
        with self.lock:
            if key is None:
                return self._apply(data, era)
            if key in self.spent:
                message = (
                    "A previous request with this idempotency key failed. Retry with a new idempotency key."
                )
                return payload([user_error("IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", None, message)])
            fingerprint = json.dumps(data, sort_keys=True)
            if key in self.keys:
                first, answer = self.keys[key]
                if first == fingerprint:
                    return answer
                message = "The same idempotency key cannot be used with different operation parameters."
                return payload([user_error("IDEMPOTENCY_KEY_PARAMETER_MISMATCH", None, message)])
            if self.hold > 0:
                self.hold -= 1
                message = "This request is currently in progress, please try again."
                return payload([user_error("IDEMPOTENCY_CONCURRENT_REQUEST", None, message)])
            answer = self._apply(data, era)
            if not any(error["code"] == CONCURRENT for error in answer["userErrors"]):
                self.keys[key] = (fingerprint, answer)
            return answer

    def _apply(self, data: dict[str, Any], era: str) -> dict[str, Any]:
        errors = call_errors(data)
        checked: list[tuple[StockItem, int, int]] = []
        pairs: set[tuple[int, int]] = set()
        for i, quantity in enumerate(data["quantities"]):
            path = ["input", "quantities", str(i)]
            item, location = self.item(quantity["inventoryItemId"]), self.number(quantity["locationId"])
            duplicate = item is not None and (item.number, location) in pairs
            problem = item_problem(item.levels if item else None, location, duplicate, quantity["quantity"])
            if problem is None and item is not None and location is not None:
                pairs.add((item.number, location))
                problem = self._scripted(item, era) or expected_problem(
                    quantity, era, data, item.levels[location]
                )
            if problem is not None:
                code, name, message = problem
                errors.append(user_error(code, [*path, name], message))
            elif item is not None and location is not None:
                checked.append((item, location, quantity["quantity"]))
        if errors:
            return payload(errors)
        return payload([], self._group(data, checked))

    def _group(self, data: dict[str, Any], checked: list[tuple[StockItem, int, int]]) -> dict[str, Any]:
        self.groups += 1
        changes = []
        for item, location, quantity in checked:
            delta = quantity - item.levels[location]
            if not item.frozen:
                item.levels[location] = quantity
                item.history.append(quantity)
            rendered, where = item.render(), self.render_location(location)
            for name in NAMES:
                change = {"name": name, "delta": delta, "quantityAfterChange": quantity}
                changes.append({**change, "item": rendered, "location": where})
        return {
            "id": f"gid://shopify/InventoryAdjustmentGroup/{GROUP_BASE + self.groups}",
            "createdAt": iso_z(datetime.now(UTC)),
            "reason": data["reason"],
            "referenceDocumentUri": data.get("referenceDocumentUri"),
            "changes": changes,
        }
