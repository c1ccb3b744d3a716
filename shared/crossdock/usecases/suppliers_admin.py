"""Connect a supplier platform: its credentials (and endpoint overrides) into Secrets Manager.

One secret per platform (`<supplier secrets prefix><name>`, e.g. `crossdock/suppliers/1688`), read by
the supplier workers through `SupplierSources`. Endpoint overrides may come in the credentials file
(`"endpoints": {...}`) or from the command line, which wins; either way only the platform's known
endpoint names are accepted, so a typo cannot silently leave the workers on the default gateway.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crossdock import aws
from crossdock.adapters.supplier.registry import supplier
from crossdock.config import Settings


def connect_platform(
    settings: Settings, name: str, credentials: Mapping[str, Any], endpoints: Mapping[str, str] | None = None
) -> str:
    """Store the platform's secret; returns its name. Refuses missing fields and unknown endpoints."""
    spec = supplier(name)
    missing = [f for f in spec.credential_fields if not credentials.get(f)]
    if missing:
        raise ValueError(f"{spec.display} credentials need: {', '.join(missing)}")
    given = credentials.get("endpoints") or {}
    if not isinstance(given, Mapping):
        raise ValueError(f'"endpoints" in the {spec.display} credentials must be an object of name: URL')
    merged = {str(k): str(v) for k, v in {**given, **(endpoints or {})}.items()}
    unknown = sorted(set(merged) - set(spec.endpoints))
    if unknown:
        raise ValueError(
            f"unknown endpoint name(s) {unknown} for {spec.display}; known: {sorted(spec.endpoints)}"
        )
    bad = sorted(k for k, url in merged.items() if not url.startswith(("http://", "https://")))
    if bad:
        raise ValueError(f"{spec.display} endpoint(s) {bad} are not http(s) URLs")
    secret_name = f"{settings.supplier_secrets_prefix}{spec.name}"
    payload = json.dumps({**credentials, "endpoints": merged}, ensure_ascii=False)
    sm = aws.client("secretsmanager")
    try:
        sm.create_secret(
            Name=secret_name, SecretString=payload, Description=f"crossdock supplier platform {spec.name}"
        )
    except sm.exceptions.ResourceExistsException:
        sm.put_secret_value(SecretId=secret_name, SecretString=payload)
    return secret_name
