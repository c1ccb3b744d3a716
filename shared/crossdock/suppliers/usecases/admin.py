"""Connect a supplier platform: its credentials (and endpoint overrides) into Secrets Manager.

One secret per platform (`<supplier secrets prefix><name>`, e.g. `crossdock/suppliers/1688`), read by
the supplier workers through `SupplierSources`. Endpoint overrides may come in the credentials file
(`"endpoints": {...}`) or from the command line, which wins; either way only the platform's known
endpoint names are accepted, so a typo cannot silently leave the workers on the default gateway.

Offer ids are checked where an operator types them (`crossdock suppliers add`): a 1688 offer id is
the number in the offer's page address (detail.1688.com/offer/<id>.html), digits only. A shop name,
a URL or a truncated id would otherwise be stored and only fail later, as an "unavailable" supplier.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crossdock.core.secret_clients import secret_payload, store_secret
from crossdock.platforms.registry import supplier

if TYPE_CHECKING:
    from crossdock.core.config import Settings

OFFER_IDS = {"1688": re.compile(r"[0-9]{6,20}")}  # real ids have 9 to 13 digits; some headroom


def offer_id(platform: str, given: str) -> str:
    """The offer id as stored (trimmed); raises ValueError naming what is wrong with it."""
    spec = supplier(platform)
    text = given.strip()
    shape = OFFER_IDS.get(spec.name)
    if shape is not None and not shape.fullmatch(text):
        raise ValueError(
            f"{spec.display} offer id {text[:60]!r} must be 6 to 20 digits: the number in the offer's "
            "address, detail.1688.com/offer/<id>.html"
        )
    return text


def connect_platform(
    settings: Settings, name: str, credentials: Mapping[str, Any], endpoints: Mapping[str, str] | None = None
) -> str:
    """Store the platform's secret; returns its name. Refuses missing fields and unknown endpoints."""
    spec = supplier(name)
    payload = secret_payload(spec, credentials, endpoints)
    secret_name = f"{settings.supplier_secrets_prefix}{spec.name}"
    store_secret(secret_name, payload, f"crossdock supplier platform {spec.name}")
    return secret_name
