"""The suppliers job's tables, queue and functions."""

from __future__ import annotations

from crossdock.core.names import (
    ENV_SOURCING_TABLE,
    ENV_SUPPLIER_DECISIONS_TABLE,
    ENV_SUPPLIER_TASKS_QUEUE_URL,
    ENV_SUPPLIERS_TABLE,
)
from crossdock.core.specs import (
    BATCH_GET_ITEM,
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

# Supplier freshness: per product its sourcing (suppliers in priority, freshness limit) and reorder
# state; every decision (90 days); per supplier its run of stale answers (stuck caches).
SOURCING_TABLE = TableSpec("SourcingTable", ENV_SOURCING_TABLE, hash_key="sku")


SUPPLIER_DECISIONS_TABLE = TableSpec(
    "SupplierDecisionsTable",
    ENV_SUPPLIER_DECISIONS_TABLE,
    hash_key="sku",
    range_key="decided_at",
    ttl_attribute="expires_at",
)


SUPPLIERS_TABLE = TableSpec("SuppliersTable", ENV_SUPPLIERS_TABLE, hash_key="supplier_key")


SUPPLIER_TASKS_QUEUE = QueueSpec(
    "SupplierTasksQueue", ENV_SUPPLIER_TASKS_QUEUE_URL, visibility_timeout_s=1800
)


SUPPLIERS_PLANNER = FunctionSpec(
    name="suppliers-planner",
    folder="suppliers_planner",
    handler="handler.handler",
    timeout_s=60,
    schedule="rate(15 minutes)",
    tables={"SourcingTable": access(SCAN)},
    sends_to=("SupplierTasksQueue",),
    alerts=False,
)


SUPPLIERS_WORKER = FunctionSpec(
    name="suppliers-worker",
    folder="suppliers_worker",
    handler="handler.handler",
    timeout_s=300,  # the queue's visibility (1800 s) is 6× this
    queue="SupplierTasksQueue",
    batch_size=1,  # one task (a batch of products) per invocation
    tables={
        "SourcingTable": access(BATCH_GET_ITEM, UPDATE_ITEM),
        "SupplierDecisionsTable": access(PUT_ITEM),
        "SuppliersTable": access(UPDATE_ITEM),
        "AlertsTable": SENDS_ALERTS,
    },
    reads_supplier_secrets=True,
    max_concurrency=2,  # with each worker at half the platform's rate, the app's quota holds
)


SUPPLIERS_DAILY = FunctionSpec(
    name="suppliers-daily",
    folder="suppliers_daily",
    handler="handler.handler",
    timeout_s=900,
    memory_mb=1024,
    schedule="cron(0 1 * * ? *)",  # 01:00 UTC = 09:00 in China, when purchasing starts its day
    tables={
        "SourcingTable": access(SCAN, BATCH_GET_ITEM, UPDATE_ITEM),
        "SupplierDecisionsTable": access(PUT_ITEM),
        "SuppliersTable": access(UPDATE_ITEM),
        "OrdersTable": access(QUERY),  # 7-day sales, per shop
        "ShopsTable": access(SCAN),
        "StockTable": access(GET_ITEM),
        "AlertsTable": SENDS_ALERTS,
    },
    reads_supplier_secrets=True,
    reports=True,  # the purchase suggestions go to the reports topic
)
