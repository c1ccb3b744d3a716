"""Names both the runtime and the CDK app import, so infrastructure and code cannot drift.

Every environment variable, table, queue and function is declared here once. `infra/` builds AWS
resources from these specs; `crossdock_local` builds the same resources in moto from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SERVICE_NAME = "crossdock"
METRICS_NAMESPACE = "Crossdock"
# Every SQS worker counts the records it fails (returned to their queue) under this metric, with the
# dimensions service=SERVICE_NAME and function=<FunctionSpec.name>; each worker has an alarm on it.
TASKS_FAILED_METRIC = "TasksFailed"
TASKS_FAILED_DIMENSION = "function"

# --- environment variable names -------------------------------------------------------------
ENV_SHOPS_TABLE = "CROSSDOCK_SHOPS_TABLE"
ENV_ORDERS_TABLE = "CROSSDOCK_ORDERS_TABLE"
ENV_ALERTS_TABLE = "CROSSDOCK_ALERTS_TABLE"
ENV_CALLS_TABLE = "CROSSDOCK_CALLS_TABLE"
ENV_ORDER_TASKS_QUEUE_URL = "CROSSDOCK_ORDER_TASKS_QUEUE_URL"
ENV_ORDER_EVENTS_QUEUE_URL = "CROSSDOCK_ORDER_EVENTS_QUEUE_URL"
ENV_ALERTS_TOPIC_ARN = "CROSSDOCK_ALERTS_TOPIC_ARN"
ENV_STOCK_TABLE = "CROSSDOCK_STOCK_TABLE"
ENV_RESERVATIONS_TABLE = "CROSSDOCK_RESERVATIONS_TABLE"
ENV_LISTINGS_TABLE = "CROSSDOCK_LISTINGS_TABLE"
ENV_STOCK_AUDIT_TABLE = "CROSSDOCK_STOCK_AUDIT_TABLE"
ENV_STOCK_CHANGES_QUEUE_URL = "CROSSDOCK_STOCK_CHANGES_QUEUE_URL"
ENV_STOCK_ADJUSTMENTS_QUEUE_URL = "CROSSDOCK_STOCK_ADJUSTMENTS_QUEUE_URL"
ENV_SHIPMENTS_TABLE = "CROSSDOCK_SHIPMENTS_TABLE"
ENV_SOURCE_HEALTH_TABLE = "CROSSDOCK_SOURCE_HEALTH_TABLE"
ENV_SHIPMENT_EVENTS_QUEUE_URL = "CROSSDOCK_SHIPMENT_EVENTS_QUEUE_URL"
ENV_TRACKING_TASKS_QUEUE_URL = "CROSSDOCK_TRACKING_TASKS_QUEUE_URL"
ENV_TRACKING_CHAINS = "CROSSDOCK_TRACKING_CHAINS"  # JSON {"4px": ["4px", "17track"], "*": ["17track"]}
ENV_STALL_HOURS = "CROSSDOCK_STALL_HOURS"  # JSON {"yanwen": 120}: hours without a scan before a stall
ENV_SOURCING_TABLE = "CROSSDOCK_SOURCING_TABLE"
ENV_SUPPLIER_DECISIONS_TABLE = "CROSSDOCK_SUPPLIER_DECISIONS_TABLE"
ENV_SUPPLIERS_TABLE = "CROSSDOCK_SUPPLIERS_TABLE"
ENV_SUPPLIER_TASKS_QUEUE_URL = "CROSSDOCK_SUPPLIER_TASKS_QUEUE_URL"
ENV_SUPPLIER_SECRETS_PREFIX = "CROSSDOCK_SUPPLIER_SECRETS_PREFIX"
ENV_SECRETS_PREFIX = "CROSSDOCK_SECRETS_PREFIX"
ENV_CARRIER_SECRETS_PREFIX = "CROSSDOCK_CARRIER_SECRETS_PREFIX"
# Concurrent workers pace each tracking source at its rate ÷ their number (set from max_concurrency).
ENV_WORKER_CONCURRENCY = "CROSSDOCK_WORKER_CONCURRENCY"
ENV_AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL"  # set only for the local stack (moto server)
ENV_RATE_SCALE = "CROSSDOCK_RATE_SCALE"  # sandboxes may run the documented rates faster by a common factor
ENV_OUTBOX_DIR = "CROSSDOCK_OUTBOX_DIR"  # local stack: every alert e-mail is also written here
ENV_STOCK_MAX_UNITS = "CROSSDOCK_STOCK_MAX_UNITS"  # the most units one count may claim (default 1,000,000)
ENV_STOCK_FLUSH_QUEUE_URL = "CROSSDOCK_STOCK_FLUSH_QUEUE_URL"
ENV_STOCK_FLUSH_SETTLE_S = "CROSSDOCK_STOCK_FLUSH_SETTLE_S"  # quiet before a shop's flush sends (default 3)
ENV_STOCK_RETRY_BASE_S = "CROSSDOCK_STOCK_RETRY_BASE_S"  # first backoff after a transient refusal (default 5)

DEFAULT_SECRETS_PREFIX = "crossdock/shops/"
DEFAULT_CARRIER_SECRETS_PREFIX = "crossdock/carriers/"  # one secret per tracking source: <prefix><source>
DEFAULT_SUPPLIER_SECRETS_PREFIX = "crossdock/suppliers/"  # one secret per supplier platform: <prefix>1688


# --- resource specs ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TableSpec:
    """A DynamoDB table: key schema, TTL and indexes. String keys only."""

    logical_id: str
    env_var: str
    hash_key: str
    range_key: str | None = None
    ttl_attribute: str | None = None
    indexes: tuple[tuple[str, str, str | None], ...] = ()  # (index name, hash key, range key)


SHOPS_TABLE = TableSpec("ShopsTable", ENV_SHOPS_TABLE, hash_key="shop_id")
ORDERS_TABLE = TableSpec("OrdersTable", ENV_ORDERS_TABLE, hash_key="shop_key", range_key="order_id")
ALERTS_TABLE = TableSpec("AlertsTable", ENV_ALERTS_TABLE, hash_key="dedupe_key", ttl_attribute="expires_at")
CALLS_TABLE = TableSpec(
    "CallsTable", ENV_CALLS_TABLE, hash_key="shop_id", range_key="minute", ttl_attribute="expires_at"
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
# One item per parcel. "due": a sparse index of parcels still being checked, sharded so the planner
# reads due parcels by query (never a scan) and no single index partition runs hot. "attention":
# a sparse index of parcels a person must hear about (a stall not yet reported).
SHIPMENTS_TABLE = TableSpec(
    "ShipmentsTable",
    ENV_SHIPMENTS_TABLE,
    hash_key="parcel_key",
    indexes=(("due", "check_shard", "next_check_at"), ("attention", "attention", "parcel_key")),
)
SOURCE_HEALTH_TABLE = TableSpec(
    "SourceHealthTable",
    ENV_SOURCE_HEALTH_TABLE,
    hash_key="source",
    range_key="minute",
    ttl_attribute="expires_at",
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
TABLES: tuple[TableSpec, ...] = (
    SHOPS_TABLE,
    ORDERS_TABLE,
    ALERTS_TABLE,
    CALLS_TABLE,
    STOCK_TABLE,
    RESERVATIONS_TABLE,
    LISTINGS_TABLE,
    STOCK_AUDIT_TABLE,
    SHIPMENTS_TABLE,
    SOURCE_HEALTH_TABLE,
    SOURCING_TABLE,
    SUPPLIER_DECISIONS_TABLE,
    SUPPLIERS_TABLE,
)


@dataclass(frozen=True)
class QueueSpec:
    """An SQS queue with its dead-letter queue."""

    logical_id: str
    env_var: str
    max_receive_count: int = 5
    # Visibility must be ≥ 6× the consuming function's timeout (AWS guidance for SQS event sources).
    visibility_timeout_s: int = 1800
    retention_days: int = 14
    # FIFO: one message group per key (stock changes are grouped by SKU, so two pushes of one SKU
    # never run at once and never overtake each other).
    fifo: bool = False


ORDER_TASKS_QUEUE = QueueSpec("OrderTasksQueue", ENV_ORDER_TASKS_QUEUE_URL)
ORDER_EVENTS_QUEUE = QueueSpec("OrderEventsQueue", ENV_ORDER_EVENTS_QUEUE_URL, visibility_timeout_s=360)
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
SHIPMENT_EVENTS_QUEUE = QueueSpec(
    "ShipmentEventsQueue", ENV_SHIPMENT_EVENTS_QUEUE_URL, visibility_timeout_s=360
)
TRACKING_TASKS_QUEUE = QueueSpec(
    "TrackingTasksQueue", ENV_TRACKING_TASKS_QUEUE_URL, visibility_timeout_s=1800
)
SUPPLIER_TASKS_QUEUE = QueueSpec(
    "SupplierTasksQueue", ENV_SUPPLIER_TASKS_QUEUE_URL, visibility_timeout_s=1800
)
QUEUES: tuple[QueueSpec, ...] = (
    ORDER_TASKS_QUEUE,
    ORDER_EVENTS_QUEUE,
    STOCK_CHANGES_QUEUE,
    STOCK_FLUSH_QUEUE,
    STOCK_ADJUSTMENTS_QUEUE,
    SHIPMENT_EVENTS_QUEUE,
    TRACKING_TASKS_QUEUE,
    SUPPLIER_TASKS_QUEUE,
)

# Which order events each consumer's queue receives (the orders worker sends to each).
ORDER_EVENT_ROUTES: dict[str, tuple[str, ...] | None] = {
    "OrderEventsQueue": None,  # every event: the stock ledger
    "ShipmentEventsQueue": ("order.shipped",),  # tracking registers the parcels
}


# --- DynamoDB access per function ---------------------------------------------------------------
# The DynamoDB API actions a function's code calls on a table; its role is granted exactly these
# (infra/components/functions.py). PynamoDB: get/refresh → GetItem, batch_get → BatchGetItem,
# query → Query, scan → Scan, save → PutItem, update → UpdateItem, delete → DeleteItem,
# batch_write → BatchWriteItem. A TransactWrite is granted as its parts (tx.save → PutItem,
# tx.update → UpdateItem, tx.delete → DeleteItem, tx.condition_check → ConditionCheckItem).
GET_ITEM = "GetItem"
BATCH_GET_ITEM = "BatchGetItem"
QUERY = "Query"
SCAN = "Scan"
PUT_ITEM = "PutItem"
UPDATE_ITEM = "UpdateItem"
DELETE_ITEM = "DeleteItem"
BATCH_WRITE_ITEM = "BatchWriteItem"
CONDITION_CHECK_ITEM = "ConditionCheckItem"
READ_ACTIONS = frozenset({GET_ITEM, BATCH_GET_ITEM, QUERY, SCAN})
WRITE_ACTIONS = frozenset({PUT_ITEM, UPDATE_ITEM, DELETE_ITEM, BATCH_WRITE_ITEM, CONDITION_CHECK_ITEM})
INDEX_ACTIONS = frozenset({QUERY, SCAN})  # all a global secondary index serves


@dataclass(frozen=True)
class TableAccess:
    """What a function does with one table: the actions on the table, and per global secondary
    index (by name) the reads on that index, granted on that index's ARN only."""

    actions: frozenset[str] = frozenset()
    indexes: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def writes(self) -> bool:
        return bool(self.actions & WRITE_ACTIONS)


def access(*actions: str, indexes: dict[str, tuple[str, ...]] | None = None) -> TableAccess:
    """`access(UPDATE_ITEM, indexes={"dirty": (QUERY,)})`: update items, query the "dirty" index."""
    by_index = tuple(sorted((name, frozenset(reads)) for name, reads in (indexes or {}).items()))
    return TableAccess(frozenset(actions), by_index)


# AlertSender: a conditional PutItem claims the alert's dedupe key, UpdateItem counts a suppressed
# repeat, DeleteItem gives the claim back when SNS refused the publish (the next attempt sends).
SENDS_ALERTS = access(PUT_ITEM, UPDATE_ITEM, DELETE_ITEM)


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function: its code folder under functions/, handler, limits and triggers.

    `schedule` is an EventBridge rule expression (the rule delivers the "Scheduled Event"
    envelope); `queue` is the logical id of the SQS queue that feeds it.
    """

    name: str
    folder: str
    handler: str
    timeout_s: int
    memory_mb: int = 512
    schedule: str | None = None
    queue: str | None = None
    batch_size: int = 10
    # table logical id → the DynamoDB actions the function's code calls on it (nothing else is granted)
    tables: dict[str, TableAccess] = field(default_factory=dict)
    sends_to: tuple[str, ...] = ()  # queue logical ids it sends to
    alerts: bool = True
    reads_secrets: bool = False
    reads_carrier_secrets: bool = False
    reads_supplier_secrets: bool = False
    max_concurrency: int | None = None  # SQS event source: most concurrent invocations (AWS minimum 2)
    env: dict[str, str] = field(default_factory=dict)


ORDERS_PLANNER = FunctionSpec(
    name="orders-planner",
    folder="orders_planner",
    handler="handler.plan_pulls",
    timeout_s=60,
    schedule="rate(5 minutes)",
    tables={"ShopsTable": access(SCAN)},
    sends_to=("OrderTasksQueue",),
    alerts=False,  # it only plans: the worker alerts about a shop
)
ORDERS_RECONCILE_PLANNER = FunctionSpec(
    name="orders-reconcile-planner",
    folder="orders_planner",
    handler="handler.plan_reconciliations",
    timeout_s=60,
    schedule="cron(30 0 * * ? *)",  # 00:30 UTC daily: the previous UTC day has settled
    tables={"ShopsTable": access(SCAN)},
    sends_to=("OrderTasksQueue",),
    alerts=False,
)
ORDERS_WORKER = FunctionSpec(
    name="orders-worker",
    folder="orders_worker",
    handler="handler.handler",
    timeout_s=300,
    memory_mb=1024,
    queue="OrderTasksQueue",
    batch_size=5,
    tables={
        "ShopsTable": access(GET_ITEM, UPDATE_ITEM),  # lease, checkpoint, figures: conditional updates
        "OrdersTable": access(BATCH_GET_ITEM, GET_ITEM, PUT_ITEM, UPDATE_ITEM),
        "AlertsTable": SENDS_ALERTS,
        "CallsTable": access(UPDATE_ITEM, QUERY),
    },
    sends_to=("OrderTasksQueue", "OrderEventsQueue", "ShipmentEventsQueue"),
    reads_secrets=True,
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
SHIPMENTS_REGISTRAR = FunctionSpec(
    name="shipments-registrar",
    folder="shipments_registrar",
    handler="handler.handler",
    timeout_s=60,  # the queue's visibility (360 s) is 6× this
    queue="ShipmentEventsQueue",
    batch_size=10,
    # a malformed event ends in the alarmed dead-letter queue; a number that is not a tracking
    # number is alerted (it is not registered: someone must correct it on the channel)
    tables={"ShipmentsTable": access(PUT_ITEM), "AlertsTable": SENDS_ALERTS},
)
TRACKING_PLANNER = FunctionSpec(
    name="tracking-planner",
    folder="tracking_planner",
    handler="handler.handler",
    timeout_s=120,
    schedule="rate(15 minutes)",
    tables={
        "ShipmentsTable": access(
            BATCH_GET_ITEM, UPDATE_ITEM, indexes={"due": (QUERY,), "attention": (QUERY,)}
        ),
        "AlertsTable": SENDS_ALERTS,
    },
    sends_to=("TrackingTasksQueue",),
)
TRACKING_WORKER = FunctionSpec(
    name="tracking-worker",
    folder="tracking_worker",
    handler="handler.handler",
    timeout_s=300,  # the queue's visibility (1800 s) is 6× this
    memory_mb=1024,
    queue="TrackingTasksQueue",
    # One task per invocation: a 4PX task (150 numbers, one call each) at half the rate takes ~60 s.
    batch_size=1,
    tables={
        "ShipmentsTable": access(BATCH_GET_ITEM, PUT_ITEM),
        "SourceHealthTable": access(BATCH_GET_ITEM, QUERY, UPDATE_ITEM),
        "AlertsTable": SENDS_ALERTS,
    },
    reads_carrier_secrets=True,
    # The sources' rate limits, not Lambda, bound tracking: two workers, each pacing every source
    # at half its rate, never exceed a limit together however many tasks are queued.
    max_concurrency=2,
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
)
FUNCTIONS: tuple[FunctionSpec, ...] = (
    ORDERS_PLANNER,
    ORDERS_RECONCILE_PLANNER,
    ORDERS_WORKER,
    STOCK_LEDGER,
    STOCK_MARKER,
    STOCK_FLUSHER,
    FBA_SYNC,
    STOCK_ADJUSTER,
    STOCK_PLANNER,
    STOCK_DAILY,
    SHIPMENTS_REGISTRAR,
    TRACKING_PLANNER,
    TRACKING_WORKER,
    SUPPLIERS_PLANNER,
    SUPPLIERS_WORKER,
    SUPPLIERS_DAILY,
)
