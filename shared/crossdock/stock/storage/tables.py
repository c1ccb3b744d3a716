"""PynamoDB models of the central inventory: SKUs, reservations per order line, channel listings,
and the push audit trail. Bound to their tables by `core.dynamo.bind`."""

from __future__ import annotations

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from crossdock.core.dynamo import table


@table("stock_table")
class SkuModel(Model):
    """One SKU: on-hand per warehouse, reserved units, policy. Every change bumps `version`, which
    each push carries, so an older computation can never overwrite a newer one."""

    class Meta:
        table_name = "crossdock-stock"

    sku = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(default=0)
    on_hand = JSONAttribute(default=dict)  # warehouse → units (FBA: fulfillable only)
    reserved = NumberAttribute(default=0)
    policy = JSONAttribute(default=dict)  # {"buffer": "0.05", "min_units": 0, "cap": null}
    channel_policies = JSONAttribute(default=dict)  # channel → policy override
    updated_at = UTCDateTimeAttribute(null=True)
    # "fba:<shop>" → {inbound, reserved, researching, unfulfillable}: reported by Amazon, never counted
    fba_details = JSONAttribute(default=dict)
    adjustments = JSONAttribute(default=dict)  # adjustment_id → applied at (ISO): SQS redeliveries apply once

    @property
    def on_hand_total(self) -> int:
        return sum(int(v) for v in (self.on_hand or {}).values())


@table("reservations_table")
class ReservationModel(Model):
    """One order line's claim on a SKU: reserved → released | consumed; `oversold` when it could
    not be covered (a person must ship or cancel it)."""

    class Meta:
        table_name = "crossdock-reservations"

    sku = UnicodeAttribute(hash_key=True)
    line_key = UnicodeAttribute(range_key=True)  # "<channel>#<shop>#<order>#<line>"
    quantity = NumberAttribute()
    state = UnicodeAttribute()
    covered = NumberAttribute(default=0)  # units counted in SkuModel.reserved
    channel = UnicodeAttribute()
    shop_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    event_at = UnicodeAttribute(default="")  # occurred_at of the event that set the state
    updated_at = UTCDateTimeAttribute()


class ByShopIndex(GlobalSecondaryIndex["ListingModel"]):
    class Meta:
        index_name = "by-shop"
        projection = AllProjection()

    shop_key = UnicodeAttribute(hash_key=True)
    sku = UnicodeAttribute(range_key=True)


class DirtyIndex(GlobalSecondaryIndex["ListingModel"]):
    """Sparse: only listings whose SKU changed since their last push carry `dirty_shop`."""

    class Meta:
        index_name = "dirty"
        projection = AllProjection()

    dirty_shop = UnicodeAttribute(hash_key=True)
    sku = UnicodeAttribute(range_key=True)


@table("listings_table")
class ListingModel(Model):
    """A SKU on one shop of a channel: the channel's ids and what it last accepted.

    Change path: a SKU change marks its listings dirty (`dirty_shop`, `dirty_version`, `dirty_at`);
    the shop's flush drains them and clears the mark only for the version it pushed. A transient
    refusal keeps the mark with `retry_at` and `attempts`; a permanent one sets `review_*` — the
    listing needs a person, and nothing is pushed to it until `crossdock stock listing resume`.
    """

    class Meta:
        table_name = "crossdock-listings"

    sku = UnicodeAttribute(hash_key=True)
    shop_key = UnicodeAttribute(range_key=True)  # "<channel>#<shop>"
    channel = UnicodeAttribute()
    shop_id = UnicodeAttribute()
    ref = JSONAttribute(default=dict)
    last_quantity = NumberAttribute(null=True)  # what the channel last accepted
    last_version = NumberAttribute(default=-1)  # SKU version of that quantity
    accepted_at = UTCDateTimeAttribute(null=True)
    last_status = UnicodeAttribute(null=True)
    last_detail = UnicodeAttribute(null=True)
    drift_count = NumberAttribute(default=0)  # consecutive read-backs that disagreed
    dirty_shop = UnicodeAttribute(null=True)  # = shop_key while a change waits for its flush
    dirty_version = NumberAttribute(null=True)  # the newest SKU version that marked it
    dirty_at = UTCDateTimeAttribute(null=True)
    retry_at = UTCDateTimeAttribute(null=True)  # a transient refusal: not before this
    attempts = NumberAttribute(default=0)  # pushes of the current mark the channel refused
    review_since = UTCDateTimeAttribute(null=True)  # set: needs_review, pushes stopped
    review_code = UnicodeAttribute(null=True)  # the channel's code for the permanent refusal
    review_reason = UnicodeAttribute(null=True)
    by_shop = ByShopIndex()
    dirty = DirtyIndex()

    @property
    def needs_review(self) -> bool:
        return self.review_since is not None


@table("stock_audit_table")
class StockAuditModel(Model):
    """Every push: SKU, channel, old → new, version, trigger, result (kept `audit_ttl`)."""

    class Meta:
        table_name = "crossdock-stock-audit"

    sku = UnicodeAttribute(hash_key=True)
    at_key = UnicodeAttribute(range_key=True)  # "<iso time>#<channel>#<shop>"
    channel = UnicodeAttribute()
    shop_id = UnicodeAttribute()
    old = NumberAttribute(null=True)
    new = NumberAttribute()
    version = NumberAttribute()
    trigger = UnicodeAttribute()
    result = UnicodeAttribute()
    detail = UnicodeAttribute(default="")
    expires_at = NumberAttribute()
