"""The shops job's tables: the shop registry and its call-health minutes."""

from __future__ import annotations

from crossdock.core.names import (
    ENV_CALLS_TABLE,
    ENV_SHOPS_TABLE,
)
from crossdock.core.specs import (
    TableSpec,
)

# "push": the sparse index of shops subscribed to order notices, by push key (channel#account).
SHOPS_TABLE = TableSpec(
    "ShopsTable", ENV_SHOPS_TABLE, hash_key="shop_id", indexes=(("push", "push_key", None),)
)


CALLS_TABLE = TableSpec(
    "CallsTable", ENV_CALLS_TABLE, hash_key="shop_id", range_key="minute", ttl_attribute="expires_at"
)
