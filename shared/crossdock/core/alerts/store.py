"""The alerts table: one item per sent alert's dedupe key (suppression window)."""

from __future__ import annotations

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from crossdock.core.dynamo import table


@table("alerts_table")
class AlertModel(Model):
    class Meta:
        table_name = "crossdock-alerts"

    dedupe_key = UnicodeAttribute(hash_key=True)
    sent_at = UTCDateTimeAttribute()
    subject = UnicodeAttribute()
    suppressed = NumberAttribute(default=0)
    expires_at = NumberAttribute()  # epoch seconds (TTL)
