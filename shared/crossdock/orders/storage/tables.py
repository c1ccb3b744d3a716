"""The orders table (PynamoDB)."""

from __future__ import annotations

import json
import zlib
from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from crossdock.core.dynamo import table


class CompressedJSONAttribute(BinaryAttribute):
    """Raw channel payloads kept for audit: zlib-compressed JSON keeps items far below 400 KB."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(legacy_encoding=False, **kwargs)

    def serialize(self, value: Any) -> bytes:  # type: ignore[override]
        return super().serialize(zlib.compress(json.dumps(value, ensure_ascii=False, default=str).encode()))

    def deserialize(self, value: Any) -> Any:
        return json.loads(zlib.decompress(super().deserialize(value)))


class BuyerIndex(GlobalSecondaryIndex["OrderModel"]):
    """Sparse: the orders whose channel names the buyer's account (`orders.rules.privacy.buyer_ref`),
    for erasing a buyer's orders without a scan. Orders stored before `buyer_ref` existed, and erased
    ones, carry none."""

    class Meta:
        index_name = "buyer"
        projection = AllProjection()

    buyer_ref = UnicodeAttribute(hash_key=True)


@table("orders_table")
class OrderModel(Model):
    class Meta:
        table_name = "crossdock-orders"

    shop_key = UnicodeAttribute(hash_key=True)  # "<channel>#<shop id>"
    order_id = UnicodeAttribute(range_key=True)
    channel = UnicodeAttribute()
    shop_id = UnicodeAttribute()
    status = UnicodeAttribute()
    raw_status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    modified_at = UTCDateTimeAttribute()
    total_amount = UnicodeAttribute(null=True)  # Decimal as text: DynamoDB numbers would go through float
    currency = UnicodeAttribute(null=True)
    buyer_name = UnicodeAttribute(default="")
    buyer_note = UnicodeAttribute(default="")  # as received, bounded (Order.buyer_note); older items read ""
    lines = JSONAttribute(default=list)
    shipments = JSONAttribute(default=list)
    raw = CompressedJSONAttribute()
    pending_events = JSONAttribute(default=list)  # outbox: cleared once the events are on the queue
    # Every event crossdock announced (or will) for this order, oldest first, as `orders show` lists
    # it: id, type, status, times. Written in the same conditional put as the version that caused it,
    # so it can neither miss one nor hold one twice; the last EVENT_LOG_SIZE are kept.
    event_log = JSONAttribute(default=list)
    revisions = NumberAttribute(default=1)
    stored_at = UTCDateTimeAttribute()
    buyer_ref = UnicodeAttribute(null=True)  # "<channel>#<buyer id lowered>"; dropped by an erasure
    buyer_index = BuyerIndex()
    # When the buyer was erased at the platform's request (orders.usecases.erase): every later version
    # of the order is stored erased too, so a pull cannot bring the personal data back.
    erased_at = UTCDateTimeAttribute(null=True)
