"""The shops job's tables: the shop registry and its call-health minutes."""

from __future__ import annotations

from crossdock.core.names import (
    ENV_CALLS_TABLE,
    ENV_SHOPS_TABLE,
)
from crossdock.core.specs import (
    TableSpec,
)

SHOPS_TABLE = TableSpec("ShopsTable", ENV_SHOPS_TABLE, hash_key="shop_id")


CALLS_TABLE = TableSpec(
    "CallsTable", ENV_CALLS_TABLE, hash_key="shop_id", range_key="minute", ttl_attribute="expires_at"
)
