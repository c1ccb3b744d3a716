"""The stock job's tables, queues and functions."""

from __future__ import annotations

from crossdock.core.names import (
    ENV_LISTINGS_TABLE,
    ENV_RESERVATIONS_TABLE,
    ENV_STOCK_ADJUSTMENTS_QUEUE_URL,
    ENV_STOCK_AUDIT_TABLE,
    ENV_STOCK_CHANGES_QUEUE_URL,
    ENV_STOCK_FLUSH_QUEUE_URL,
    ENV_STOCK_TABLE,
)
from crossdock.core.specs import (
    BATCH_GET_ITEM,
    BATCH_WRITE_ITEM,
    GET_ITEM,
    PUT_ITEM,
    QUERY,
    SCAN,
    SENDS_ALERTS,
    UPDATE_ITEM,
    FunctionSpec,
    QueueSpec,
    TableSpec,
    access,
)

STOCK_TABLE = TableSpec("StockTable", ENV_STOCK_TABLE, hash_key="sku")


RESERVATIONS_TABLE = TableSpec(
    "ReservationsTable", ENV_RESERVATIONS_TABLE, hash_key="sku", range_key="line_key"
)


LISTINGS_TABLE = TableSpec(
    "ListingsTable",
    ENV_LISTINGS_TABLE,
    hash_key="sku",
    range_key="shop_key",
    # "dirty": a sparse index of the listings whose SKU changed and are not yet flushed to their
    # channel, per shop — what a shop's flush drains, read by query, never by scan.
    indexes=(("by-shop", "shop_key", "sku"), ("dirty", "dirty_shop", "sku")),
)


STOCK_AUDIT_TABLE = TableSpec(
    "StockAuditTable", ENV_STOCK_AUDIT_TABLE, hash_key="sku", range_key="at_key", ttl_attribute="expires_at"
)


STOCK_CHANGES_QUEUE = QueueSpec(
    "StockChangesQueue", ENV_STOCK_CHANGES_QUEUE_URL, visibility_timeout_s=720, fifo=True
)


# FIFO grouped by shop: one flush per shop at a time, so a listing's quantities reach its channel
# in order; the flusher waits longer than its own timeout for nothing (visibility 6 × 300 s).
STOCK_FLUSH_QUEUE = QueueSpec(
    "StockFlushQueue", ENV_STOCK_FLUSH_QUEUE_URL, visibility_timeout_s=1800, fifo=True
)


STOCK_ADJUSTMENTS_QUEUE = QueueSpec(
    "StockAdjustmentsQueue", ENV_STOCK_ADJUSTMENTS_QUEUE_URL, visibility_timeout_s=360
)


STOCK_LEDGER = FunctionSpec(
    name="stock-ledger",
    folder="stock_ledger",
    handler="handler.handler",
    timeout_s=60,
    queue="OrderEventsQueue",
    batch_size=10,
    # a reservation line and its SKU are written in one TransactWriteItems (two puts)
    tables={
        "StockTable": access(GET_ITEM, PUT_ITEM),
        "ReservationsTable": access(GET_ITEM, PUT_ITEM),
        "AlertsTable": SENDS_ALERTS,
    },
    sends_to=("StockChangesQueue",),
)


STOCK_MARKER = FunctionSpec(
    name="stock-marker",
    folder="stock_marker",
    handler="handler.handler",
    timeout_s=120,
    queue="StockChangesQueue",
    batch_size=10,  # the FIFO maximum
    tables={
        "StockTable": access(GET_ITEM),
        "ListingsTable": access(QUERY, BATCH_GET_ITEM, UPDATE_ITEM),
        "ShopsTable": access(SCAN),  # the shops a burst's listings can be on, once per invocation
    },
    sends_to=("StockFlushQueue",),
    alerts=False,  # a malformed change fails only its own SKU's group, then rests in the alarmed DLQ
)


STOCK_FLUSHER = FunctionSpec(
    name="stock-flusher",
    folder="stock_flusher",
    handler="handler.handler",
    timeout_s=300,  # settle + an Amazon feed's report wait + in-flush retries of refused items
    memory_mb=1024,
    queue="StockFlushQueue",
    # One shop's flush per invocation: a flush may settle, wait for a feed's report and back off
    # within its 300 s; shops flush in parallel (one message group each), a shop's tasks in order.
    batch_size=1,
    tables={
        "StockTable": access(BATCH_GET_ITEM, GET_ITEM),
        "ListingsTable": access(UPDATE_ITEM, indexes={"dirty": (QUERY,)}),
        "StockAuditTable": access(BATCH_WRITE_ITEM),
        "ShopsTable": access(GET_ITEM),
        "AlertsTable": SENDS_ALERTS,
    },
    reads_secrets=True,
)


FBA_SYNC = FunctionSpec(
    name="fba-sync",
    folder="fba_sync",
    handler="handler.handler",
    timeout_s=600,  # a full read: 50 summaries a call at 2 calls/s
    schedule="rate(1 hour)",
    tables={
        "ShopsTable": access(SCAN, UPDATE_ITEM),
        "StockTable": access(SCAN, GET_ITEM, PUT_ITEM, UPDATE_ITEM),
        "ListingsTable": access(indexes={"by-shop": (QUERY,)}),
        "AlertsTable": SENDS_ALERTS,
    },
    sends_to=("StockChangesQueue",),
    reads_secrets=True,
)


STOCK_ADJUSTER = FunctionSpec(
    name="stock-adjuster",
    folder="stock_adjuster",
    handler="handler.handler",
    timeout_s=60,  # the queue's visibility (360 s) is 6× this
    queue="StockAdjustmentsQueue",
    batch_size=10,
    tables={"StockTable": access(GET_ITEM, PUT_ITEM), "AlertsTable": SENDS_ALERTS},
    sends_to=("StockChangesQueue",),
    # a malformed or impossible adjustment is alerted and dropped (a retry cannot fix it); only
    # faults are retried, then rest in the alarmed dead-letter queue
    alerts=True,
)


STOCK_PLANNER = FunctionSpec(
    name="stock-planner",
    folder="stock_planner",
    handler="handler.handler",
    timeout_s=120,
    schedule="rate(5 minutes)",
    tables={
        "StockTable": access(SCAN),
        "ListingsTable": access(SCAN),
        "ShopsTable": access(SCAN),
        "AlertsTable": SENDS_ALERTS,
    },
    sends_to=("StockChangesQueue", "StockFlushQueue"),
)


STOCK_DAILY = FunctionSpec(
    name="stock-daily",
    folder="stock_daily",
    handler="handler.handler",
    timeout_s=900,
    memory_mb=1024,
    schedule="cron(0 3 * * ? *)",  # 03:00 UTC daily, after the order reconciliation at 00:30
    tables={
        "StockTable": access(SCAN, BATCH_GET_ITEM, GET_ITEM),
        "ListingsTable": access(SCAN, QUERY, UPDATE_ITEM),
        "StockAuditTable": access(BATCH_WRITE_ITEM),
        "ReservationsTable": access(SCAN),
        "ShopsTable": access(GET_ITEM),
        "AlertsTable": SENDS_ALERTS,
    },
    reads_secrets=True,
)
