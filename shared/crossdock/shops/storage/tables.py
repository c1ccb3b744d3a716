"""The shops tables (PynamoDB): the shop registry and the call-health minutes. Bound to their tables by
`core.dynamo.bind`."""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from crossdock.core.dynamo import table


class PushIndex(GlobalSecondaryIndex["ShopModel"]):
    """Sparse: only shops subscribed to their channel's order notifications carry a push key."""

    class Meta:
        index_name = "push"
        projection = AllProjection()

    push_key = UnicodeAttribute(hash_key=True)


@table("shops_table")
class ShopModel(Model):
    class Meta:
        table_name = "crossdock-shops"

    shop_id = UnicodeAttribute(hash_key=True)
    channel = UnicodeAttribute()
    display_name = UnicodeAttribute(default="")
    enabled = BooleanAttribute(default=True)
    secret_name = UnicodeAttribute()
    endpoints = JSONAttribute(default=dict)
    options = JSONAttribute(default=dict)
    created_at = UTCDateTimeAttribute()
    # incremental pull state
    checkpoint = UTCDateTimeAttribute(null=True)
    lease_until = UTCDateTimeAttribute(null=True)
    lease_owner = UnicodeAttribute(null=True)
    last_pull_at = UTCDateTimeAttribute(null=True)
    last_success_at = UTCDateTimeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    last_error_at = UTCDateTimeAttribute(null=True)
    failing_since = UTCDateTimeAttribute(null=True)
    bucket_state = JSONAttribute(default=dict)
    window_cap_s = NumberAttribute(null=True)  # shrunk when a window could not be read within one run
    # circuit breaker and auth block
    breaker_open_since = UTCDateTimeAttribute(null=True)
    breaker_closed_at = UTCDateTimeAttribute(null=True)  # the failure rate counts only calls after this
    auth_blocked_at = UTCDateTimeAttribute(null=True)
    auth_error = UnicodeAttribute(null=True)
    # figures for operators
    last_run = JSONAttribute(default=dict)
    totals = JSONAttribute(default=dict)
    last_reconciled_day = UnicodeAttribute(null=True)
    # FBA inventory sync: when the last read (and the last full read) started
    fba_synced_at = UTCDateTimeAttribute(null=True)
    fba_full_at = UTCDateTimeAttribute(null=True)
    # Order notices (`crossdock shops subscribe`): the key its channel's notices find it by
    # (orders.rules.notices.push_key), what the subscription created at the channel (ids, destination,
    # when), and the intake's figures (last notice taken, how many). Never the checkpoint.
    push_key = UnicodeAttribute(null=True)
    push_index = PushIndex()
    push = JSONAttribute(default=dict)
    last_notice_at = UTCDateTimeAttribute(null=True)
    notices = NumberAttribute(null=True)  # notices taken in (order read and stored) since subscribed


@table("calls_table")
class CallBucketModel(Model):
    """Call outcomes per shop and minute, for the breaker's one-hour failure rate."""

    class Meta:
        table_name = "crossdock-calls"

    shop_id = UnicodeAttribute(hash_key=True)
    minute = UnicodeAttribute(range_key=True)  # "2026-11-21T23:05"
    calls = NumberAttribute(default=0)
    failures = NumberAttribute(default=0)
    expires_at = NumberAttribute()
