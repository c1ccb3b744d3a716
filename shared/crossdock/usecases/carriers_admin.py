"""Connect a tracking source: its credentials (and endpoint overrides) into Secrets Manager."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from crossdock import aws
from crossdock.adapters.tracking.registry import source
from crossdock.config import Settings


def connect_source(
    settings: Settings, name: str, credentials: Mapping[str, Any], endpoints: Mapping[str, str] | None = None
) -> str:
    """Store `<carrier secrets prefix><name>`; returns the secret's name. Refuses missing fields."""
    spec = source(name)
    missing = [f for f in spec.credential_fields if not credentials.get(f)]
    if missing:
        raise ValueError(f"{spec.display} credentials need: {', '.join(missing)}")
    unknown = sorted(set(endpoints or {}) - set(spec.endpoints))
    if unknown:
        raise ValueError(
            f"unknown endpoint name(s) {unknown} for {spec.display}; known: {sorted(spec.endpoints)}"
        )
    secret_name = f"{settings.carrier_secrets_prefix}{name}"
    payload = json.dumps({**credentials, "endpoints": dict(endpoints or {})}, ensure_ascii=False)
    sm = aws.client("secretsmanager")
    try:
        sm.create_secret(
            Name=secret_name, SecretString=payload, Description=f"crossdock tracking source {name}"
        )
    except sm.exceptions.ResourceExistsException:
        sm.put_secret_value(SecretId=secret_name, SecretString=payload)
    return secret_name
