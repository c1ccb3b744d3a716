"""PynamoDB models. Table names, region and endpoint are bound at run time by `bind`, so the same
models serve AWS, moto's server and tests (PynamoDB reads `Meta` when it first connects)."""

from __future__ import annotations

import json
import zlib
from typing import Any

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from crossdock.config import Settings
from crossdock.storage.sourcing_models import SourcingModel, SupplierDecisionModel, SupplierStateModel
from crossdock.storage.stock_models import ListingModel, ReservationModel, SkuModel, StockAuditModel
from crossdock.storage.tracking_models import ShipmentModel, SourceHealthModel


class CompressedJSONAttribute(BinaryAttribute):
    """Raw channel payloads kept for audit: zlib-compressed JSON keeps items far below 400 KB."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(legacy_encoding=False, **kwargs)

    def serialize(self, value: Any) -> bytes:  # type: ignore[override]
        return super().serialize(zlib.compress(json.dumps(value, ensure_ascii=False, default=str).encode()))

    def deserialize(self, value: Any) -> Any:
        return json.loads(zlib.decompress(super().deserialize(value)))


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
    revisions = NumberAttribute(default=1)
    stored_at = UTCDateTimeAttribute()


class AlertModel(Model):
    class Meta:
        table_name = "crossdock-alerts"

    dedupe_key = UnicodeAttribute(hash_key=True)
    sent_at = UTCDateTimeAttribute()
    subject = UnicodeAttribute()
    suppressed = NumberAttribute(default=0)
    expires_at = NumberAttribute()  # epoch seconds (TTL)


class CallBucketModel(Model):
    """Call outcomes per shop and minute, for the breaker's one-hour failure rate."""

    class Meta:
        table_name = "crossdock-calls"

    shop_id = UnicodeAttribute(hash_key=True)
    minute = UnicodeAttribute(range_key=True)  # "2026-11-21T23:05"
    calls = NumberAttribute(default=0)
    failures = NumberAttribute(default=0)
    expires_at = NumberAttribute()


MODELS: dict[str, type[Model]] = {
    "shops": ShopModel,
    "orders": OrderModel,
    "alerts": AlertModel,
    "calls": CallBucketModel,
    "stock": SkuModel,
    "reservations": ReservationModel,
    "listings": ListingModel,
    "stock_audit": StockAuditModel,
    "shipments": ShipmentModel,
    "source_health": SourceHealthModel,
    "sourcing": SourcingModel,
    "supplier_decisions": SupplierDecisionModel,
    "suppliers": SupplierStateModel,
}


def bind(settings: Settings) -> None:
    """Point every model at the configured tables, region and endpoint (moto or AWS)."""
    names = {
        "shops": settings.shops_table,
        "orders": settings.orders_table,
        "alerts": settings.alerts_table,
        "calls": settings.calls_table,
        "stock": settings.stock_table,
        "reservations": settings.reservations_table,
        "listings": settings.listings_table,
        "stock_audit": settings.stock_audit_table,
        "shipments": settings.shipments_table,
        "source_health": settings.source_health_table,
        "sourcing": settings.sourcing_table,
        "supplier_decisions": settings.supplier_decisions_table,
        "suppliers": settings.suppliers_table,
    }
    for key, model in MODELS.items():
        meta = model.Meta
        target = (names[key], settings.region, settings.aws_endpoint_url)
        if model._connection is not None and target == (
            meta.table_name,
            getattr(meta, "region", None),
            getattr(meta, "host", None),
        ):
            continue  # keep the connection: a new one re-loads botocore's service model (~0.3 s per model)
        meta.table_name = names[key]  # type: ignore[attr-defined]
        meta.region = settings.region  # type: ignore[attr-defined]
        meta.host = settings.aws_endpoint_url  # type: ignore[attr-defined]
        model._connection = None
