"""Supplier platforms from their secrets, `<supplier secrets prefix><platform>` (e.g.
`crossdock/suppliers/1688`), with endpoint overrides under `"endpoints": {"gateway": "https://..."}`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crossdock.core.secret_clients import SecretClients
from crossdock.platforms.registry import supplier
from crossdock.suppliers.ports import SupplierContext, SupplierSource, SupplierSpec

if TYPE_CHECKING:
    from crossdock.core.http import ChannelHttp


class SupplierSources(SecretClients[SupplierSource]):
    def prefix(self) -> str:
        return self.settings.supplier_secrets_prefix

    def spec(self, platform: str) -> SupplierSpec:
        return supplier(platform)

    def build(self, platform: str, secret: dict[str, Any], http: ChannelHttp) -> SupplierSource:
        context = SupplierContext(credentials=secret, http=http, endpoints=secret.get("endpoints") or {})
        return supplier(platform).build(context)
