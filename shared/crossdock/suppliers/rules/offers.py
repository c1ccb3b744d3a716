"""A supplier's answer about one offer, as the freshness gate judges it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class OfferRef:
    """Which supplier offer to read: the platform's product (offer) id and, when the catalog maps
    our SKU to one of the offer's SKUs, that SKU's id (1688 `skuId` or `specId`)."""

    supplier_id: str  # our name for the supplier (its 1688 member id or shop name)
    product_id: str
    sku_id: str | None = None


@dataclass(frozen=True)
class SupplierOffer:
    """What the platform said about an offer, as read. `updated_raw` is the update time exactly as
    the platform gave it (None when the result carries none): the freshness gate parses it."""

    ref: OfferRef
    stock: int | None  # units on sale for the mapped SKU, else for the whole offer; None if absent
    price: Decimal | None  # unit price (CNY) for the mapped SKU or the offer's lowest price range
    updated_raw: str | int | None
    status: str = ""  # the platform's offer status ("published", ...)
    raw: Mapping[str, object] = field(default_factory=dict)  # the result, for the decision record
