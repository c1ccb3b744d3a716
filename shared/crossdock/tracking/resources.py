"""The tracking job's tables, queue and functions."""

from __future__ import annotations

from crossdock.core.names import (
    ENV_SHIPMENTS_TABLE,
    ENV_SOURCE_HEALTH_TABLE,
    ENV_TRACKING_TASKS_QUEUE_URL,
)
from crossdock.core.specs import (
    BATCH_GET_ITEM,
    PUT_ITEM,
    QUERY,
    SENDS_ALERTS,
    TAKES_ONCE,
    UPDATE_ITEM,
    FunctionSpec,
    QueueSpec,
    TableSpec,
    access,
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


TRACKING_TASKS_QUEUE = QueueSpec(
    "TrackingTasksQueue", ENV_TRACKING_TASKS_QUEUE_URL, visibility_timeout_s=1800
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


TRACKING_PUSH = FunctionSpec(
    name="tracking-push",
    folder="tracking_push",
    handler="handler.handler",
    timeout_s=15,  # one parcel: two reads, one write, the once record (17TRACK wants a quick 200)
    url=True,  # 17TRACK's webhook URL (its dashboard setting); the handler checks the `sign` header
    tables={
        "ShipmentsTable": access(BATCH_GET_ITEM, PUT_ITEM),
        "NoticesTable": TAKES_ONCE,
    },
    reads_carrier_secrets=True,  # the signature key is the 17TRACK API key the poll uses
    alerts=False,  # it sends none: a refusal is a log line and a metric, trouble shows in the planner
)
