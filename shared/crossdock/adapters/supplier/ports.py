"""The port every supplier platform implements, and the spec a platform module exports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from crossdock.adapters.http import ChannelHttp
from crossdock.domain.ratelimit import Rate


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


class SupplierSource(Protocol):
    """Reads supplier offers from one platform (one call per offer for 1688 `alibaba.product.get`)."""

    def read(self, ref: OfferRef) -> SupplierOffer:
        """The offer as the platform returns it now. Raises a `ChannelError`: AuthError (bad
        signature, revoked token), QuotaExhausted (a RequestRejectedError subclass for
        `gw.NoUsageLeftError`), RequestRejectedError (offer unknown, ACL), RetriesExhaustedError."""
        ...


@dataclass
class SupplierContext:
    credentials: Mapping[str, str]
    http: ChannelHttp
    endpoints: Mapping[str, str] = field(default_factory=dict)

    def endpoint(self, name: str, default: str) -> str:
        return self.endpoints.get(name, default).rstrip("/")


@dataclass(frozen=True)
class SupplierSpec:
    name: str  # "1688"
    display: str
    rates: Mapping[str, Rate]
    endpoints: Mapping[str, str]
    credential_fields: tuple[str, ...]
    build: Callable[[SupplierContext], SupplierSource]
