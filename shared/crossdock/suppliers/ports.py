"""The port every supplier platform implements, and the spec a platform module exports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from crossdock.core.http import ChannelHttp
    from crossdock.core.ratelimit import Rate
    from crossdock.suppliers.rules.offers import OfferRef, SupplierOffer


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
