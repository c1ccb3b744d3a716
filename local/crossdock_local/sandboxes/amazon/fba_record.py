"""One SKU's FBA stock in the Amazon sandbox, rendered as an `InventorySummary` (pure).

The shape follows `fbaInventory.json`: ids, `condition`, `lastUpdatedTime`, `totalQuantity` (every
unit, sellable or not) and, with `details=true`, `inventoryDetails`: fulfillable, the three inbound
stages, reserved (customer orders / transshipment / FC processing), researching (short / mid term)
and unfulfillable (customer / warehouse damaged).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from crossdock_local.sandboxes.clock import iso_z

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
INBOUND = ("inbound_working", "inbound_shipped", "inbound_receiving")


@dataclass(frozen=True)
class FbaRecord:
    sku: str
    fulfillable: int = 0
    inbound_working: int = 0
    inbound_shipped: int = 0
    inbound_receiving: int = 0
    reserved: int = 0
    researching: int = 0
    unfulfillable: int = 0
    updated_at: datetime = EPOCH

    def render(self, marketplace_id: str, details: bool) -> dict[str, Any]:
        digest = int(hashlib.sha256(self.sku.encode("utf-8")).hexdigest(), 16)
        inbound = self.inbound_working + self.inbound_shipped + self.inbound_receiving
        total = self.fulfillable + inbound + self.reserved + self.researching + self.unfulfillable
        summary: dict[str, Any] = {
            "asin": f"B0{digest % 10**8:08d}",
            "fnSku": f"X00{digest % 16**7:07X}",
            "sellerSku": self.sku,
            "condition": "NewItem",
            "lastUpdatedTime": iso_z(self.updated_at),
            "productName": f"Sandbox product {self.sku}",
            "totalQuantity": total,
            "stores": [marketplace_id],
        }
        if details:
            orders = self.reserved - self.reserved // 3
            short = self.researching - self.researching // 2
            summary["inventoryDetails"] = {
                "fulfillableQuantity": self.fulfillable,
                "inboundWorkingQuantity": self.inbound_working,
                "inboundShippedQuantity": self.inbound_shipped,
                "inboundReceivingQuantity": self.inbound_receiving,
                "reservedQuantity": {
                    "totalReservedQuantity": self.reserved,
                    "pendingCustomerOrderQuantity": orders,
                    "pendingTransshipmentQuantity": self.reserved // 3,
                    "fcProcessingQuantity": 0,
                },
                "researchingQuantity": {
                    "totalResearchingQuantity": self.researching,
                    "researchingQuantityBreakdown": [
                        {"name": "researchingQuantityInShortTerm", "quantity": short},
                        {"name": "researchingQuantityInMidTerm", "quantity": self.researching - short},
                    ],
                },
                "unfulfillableQuantity": {
                    "totalUnfulfillableQuantity": self.unfulfillable,
                    "customerDamagedQuantity": self.unfulfillable // 2,
                    "warehouseDamagedQuantity": self.unfulfillable - self.unfulfillable // 2,
                    "distributorDamagedQuantity": 0,
                    "carrierDamagedQuantity": 0,
                    "defectiveQuantity": 0,
                    "expiredQuantity": 0,
                },
            }
        return summary
