"""The orders job's table, queues and functions. The order-event queues belong to the producer: other jobs consume them by logical id."""

from __future__ import annotations

from crossdock.core.names import (
    ENV_ORDER_EVENTS_QUEUE_URL,
    ENV_ORDER_TASKS_QUEUE_URL,
    ENV_ORDERS_TABLE,
    ENV_SHIPMENT_EVENTS_QUEUE_URL,
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

ORDERS_TABLE = TableSpec("OrdersTable", ENV_ORDERS_TABLE, hash_key="shop_key", range_key="order_id")


ORDER_TASKS_QUEUE = QueueSpec("OrderTasksQueue", ENV_ORDER_TASKS_QUEUE_URL)


ORDER_EVENTS_QUEUE = QueueSpec("OrderEventsQueue", ENV_ORDER_EVENTS_QUEUE_URL, visibility_timeout_s=360)


SHIPMENT_EVENTS_QUEUE = QueueSpec(
    "ShipmentEventsQueue", ENV_SHIPMENT_EVENTS_QUEUE_URL, visibility_timeout_s=360
)


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
