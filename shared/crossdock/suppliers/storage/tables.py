"""PynamoDB models of supplier freshness: the sourcing catalog, decisions, supplier staleness runs.
Bound to their tables by `core.dynamo.bind`."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from crossdock.core.dynamo import table


@table("sourcing_table")
class SourcingModel(Model):
    """One product: its suppliers in priority order and what purchasing sees (reorder status)."""

    class Meta:
        table_name = "crossdock-sourcing"

    sku = UnicodeAttribute(hash_key=True)
    suppliers = JSONAttribute(default=list)  # [{supplier_id, platform, product_id, sku_id, priority}]
    limit_minutes = NumberAttribute(default=60)
    lead_time_days = NumberAttribute(default=7)
    pack_size = NumberAttribute(default=1)
    reorder_qty = NumberAttribute(default=1)  # what a purchase must be able to buy (the 15-minute check)
    reorder_status = UnicodeAttribute(default="unchecked")  # ok | blocked | unchecked
    blocked_since = UTCDateTimeAttribute(null=True)
    blocked_reported = UnicodeAttribute(null=True)  # the blocked_since whose alert went out
    last_decision = JSONAttribute(default=dict)
    last_checked_at = UTCDateTimeAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=True)


@table("supplier_decisions_table")
class SupplierDecisionModel(Model):
    """Every choice: chosen supplier, stock, price, update time, age, and each rejected candidate."""

    class Meta:
        table_name = "crossdock-supplier-decisions"

    sku = UnicodeAttribute(hash_key=True)
    decided_at = UnicodeAttribute(range_key=True)  # ISO-8601 UTC
    record = JSONAttribute()
    expires_at = NumberAttribute()


@table("suppliers_table")
class SupplierStateModel(Model):
    """A supplier offer's run of stale answers: since when, and whether it was flagged a stuck cache.
    Also one item per platform, "quota#<platform>": since when its app's call quota is used up."""

    class Meta:
        table_name = "crossdock-suppliers"

    supplier_key = UnicodeAttribute(hash_key=True)  # "<platform>#<supplier>#<product>" or "quota#<platform>"
    quota_out_since = UTCDateTimeAttribute(null=True)
    stale_since = UTCDateTimeAttribute(null=True)
    last_reason = UnicodeAttribute(null=True)
    last_fresh_at = UTCDateTimeAttribute(null=True)
    stuck_flagged_at = UTCDateTimeAttribute(null=True)
