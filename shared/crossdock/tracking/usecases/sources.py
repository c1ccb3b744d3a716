"""Tracking sources from their secrets, `<carrier secrets prefix><source>` (e.g.
`crossdock/carriers/17track`), with endpoint overrides under `"endpoints": {"api": "https://..."}`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crossdock.carriers.registry import source
from crossdock.core.secret_clients import SecretClients
from crossdock.tracking.ports import SourceContext, SourceSpec, TrackingSource

if TYPE_CHECKING:
    from crossdock.core.http import ChannelHttp


class TrackingSources(SecretClients[TrackingSource]):
    def prefix(self) -> str:
        return self.settings.carrier_secrets_prefix

    def spec(self, name: str) -> SourceSpec:
        return source(name)

    def build(self, name: str, secret: dict[str, Any], http: ChannelHttp) -> TrackingSource:
        return source(name).build(
            SourceContext(credentials=secret, http=http, endpoints=secret.get("endpoints") or {})
        )
