"""PynamoDB models of tracking: one item per parcel, and per-source health counters per minute.
Bound to their tables by `core.dynamo.bind`."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from crossdock.core.dynamo import table


class DueIndex(GlobalSecondaryIndex["ShipmentModel"]):
    class Meta:
        index_name = "due"
        projection = AllProjection()

    check_shard = UnicodeAttribute(hash_key=True)
    next_check_at = UnicodeAttribute(range_key=True)


class AttentionIndex(GlobalSecondaryIndex["ShipmentModel"]):
    class Meta:
        index_name = "attention"
        projection = AllProjection()

    attention = UnicodeAttribute(hash_key=True)
    parcel_key = UnicodeAttribute(range_key=True)


@table("shipments_table")
class ShipmentModel(Model):
    class Meta:
        table_name = "crossdock-shipments"

    parcel_key = UnicodeAttribute(hash_key=True)  # "<carrier>#<tracking number>"
    tracking_number = UnicodeAttribute()
    carrier = UnicodeAttribute()
    carrier_text = UnicodeAttribute(default="")  # as the channel or the import file wrote it
    channel = UnicodeAttribute(null=True)
    shop_id = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)
    shop_time_zone = UnicodeAttribute(null=True)  # the shop's IANA zone, from the order event (older: none)
    registered_at = UTCDateTimeAttribute()
    handed_over_at = UTCDateTimeAttribute()
    status = UnicodeAttribute(default="pending")
    raw_status = UnicodeAttribute(default="")
    status_line = UnicodeAttribute(default="")  # what customer service reads to the buyer
    events = JSONAttribute(default=list)  # every scan, oldest first, deduplicated
    last_event_at = UTCDateTimeAttribute(null=True)
    last_success_at = UTCDateTimeAttribute(null=True)
    last_checked_at = UTCDateTimeAttribute(null=True)
    source = UnicodeAttribute(null=True)
    last_failure = UnicodeAttribute(null=True)  # per source: why the last failed refresh failed
    follow_up_since = UTCDateTimeAttribute(null=True)
    follow_up_reported_at = UTCDateTimeAttribute(null=True)
    escalated_at = UTCDateTimeAttribute(null=True)
    stalled_since = UTCDateTimeAttribute(null=True)
    stall_reported = BooleanAttribute(default=False)
    registered_with = UnicodeSetAttribute(null=True)
    pushed_at = UTCDateTimeAttribute(null=True)  # the last source push applied (polled less meanwhile)
    # "due" index (sparse: removed once delivered or expired)
    check_shard = UnicodeAttribute(null=True)
    next_check_at = UnicodeAttribute(null=True)  # ISO-8601 UTC, sortable
    # "attention" index (sparse): what a person must hear about next, one at a time —
    # "follow-up" (no source answers: waits for the follow-up digest), "escalation" (reported,
    # waits for the 2-hour escalation), "stalled" (a stall waits for its digest)
    attention = UnicodeAttribute(null=True)
    version = VersionAttribute()
    due = DueIndex()
    needs_attention = AttentionIndex()


@table("source_health_table")
class SourceHealthModel(Model):
    """Answers per source and minute (TTL a day), plus one "state" item per source (demotion)."""

    class Meta:
        table_name = "crossdock-source-health"

    source = UnicodeAttribute(hash_key=True)
    minute = UnicodeAttribute(range_key=True)  # "2026-11-22T03:05", or "state"
    answers = NumberAttribute(default=0)
    good = NumberAttribute(default=0)
    silent = NumberAttribute(default=0)
    failed_calls = NumberAttribute(default=0)
    calls = NumberAttribute(default=0)
    latency_ms = NumberAttribute(default=0)  # summed over calls
    demoted_since = UTCDateTimeAttribute(null=True)
    expires_at = NumberAttribute(null=True)
