"""Connect a tracking source: its credentials (and endpoint overrides) into Secrets Manager.

Endpoint overrides may come in the credentials JSON (`"endpoints": {"api": "https://..."}`) or from
the command line, which wins per name; both are kept, as `crossdock suppliers platform` does
(`core/secret_clients.py`), so the credentials only ever go to the host the operator chose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crossdock.carriers.registry import source
from crossdock.core.secret_clients import secret_payload, store_secret

if TYPE_CHECKING:
    from crossdock.core.config import Settings


def connect_source(
    settings: Settings, name: str, credentials: Mapping[str, Any], endpoints: Mapping[str, str] | None = None
) -> str:
    """Store `<carrier secrets prefix><name>`; returns the secret's name. Refuses missing fields,
    unknown endpoint names and endpoints that are not http(s) URLs."""
    spec = source(name)
    payload = secret_payload(spec, credentials, endpoints)
    secret_name = f"{settings.carrier_secrets_prefix}{spec.name}"
    store_secret(secret_name, payload, f"crossdock tracking source {spec.name}")
    return secret_name
