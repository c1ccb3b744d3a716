"""The privacy table: one record per erasure request a platform sent, proving what crossdock did.

A record keeps the platform's ids of the request and of the account (eBay `notificationId`,
`userId`, both opaque), a SHA-256 of the user name (never the name: it is what was erased), when the
platform says the account was deleted, when the request arrived and when the erasure finished, and
which orders were erased (keys only: ids name no one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from crossdock.core.dynamo import table


@table("privacy_table")
class PrivacyRecordModel(Model):
    class Meta:
        table_name = "crossdock-privacy"

    request_key = UnicodeAttribute(hash_key=True)  # "<platform>#<the platform's request id>"
    platform = UnicodeAttribute()
    request_id = UnicodeAttribute()
    user_id = UnicodeAttribute(default="")
    username_sha256 = UnicodeAttribute(default="")
    event_date = UTCDateTimeAttribute(null=True)  # when the platform says the account was deleted
    attempt = NumberAttribute(default=1)  # the platform's delivery attempt that was acted on
    received_at = UTCDateTimeAttribute()
    erased_at = UTCDateTimeAttribute()
    orders_erased = NumberAttribute(default=0)
    orders = JSONAttribute(default=list)  # ["<shop key>/<order id>", …]


@dataclass(frozen=True)
class PrivacyRecord:
    platform: str
    request_id: str
    user_id: str
    username_sha256: str
    event_date: datetime | None
    attempt: int
    received_at: datetime
    erased_at: datetime
    orders: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.platform}#{self.request_id}"


class PrivacyRecords:
    def put(self, record: PrivacyRecord) -> bool:
        """Write the record unless one exists for the same request (the first one stays); False then."""
        item = PrivacyRecordModel(
            record.key,
            platform=record.platform,
            request_id=record.request_id,
            user_id=record.user_id,
            username_sha256=record.username_sha256,
            event_date=record.event_date,
            attempt=record.attempt,
            received_at=record.received_at,
            erased_at=record.erased_at,
            orders_erased=len(record.orders),
            orders=list(record.orders),
        )
        try:
            item.save(condition=PrivacyRecordModel.request_key.does_not_exist())
        except PutError as exc:
            if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def get(self, platform: str, request_id: str) -> PrivacyRecordModel | None:
        try:
            return PrivacyRecordModel.get(f"{platform}#{request_id}", consistent_read=True)
        except PrivacyRecordModel.DoesNotExist:
            return None
