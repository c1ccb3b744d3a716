"""The orders job's table, queues and functions. The order-event queues belong to the producer: other jobs consume them by logical id."""

from __future__ import annotations

from crossdock.core.names import (
    ENV_AMAZON_NOTICES_QUEUE_URL,
    ENV_ORDER_EVENTS_QUEUE_URL,
    ENV_ORDER_TASKS_QUEUE_URL,
    ENV_ORDERS_TABLE,
    ENV_PRIVACY_TABLE,
    ENV_SHIPMENT_EVENTS_QUEUE_URL,
    ENV_SHOPIFY_EVENT_SOURCE,
    ENV_SHOPIFY_NOTICES_QUEUE_URL,
    SHOPIFY_EVENT_SOURCE_CONTEXT,
)
from crossdock.core.specs import (
    BATCH_GET_ITEM,
    GET_ITEM,
    PUT_ITEM,
    QUERY,
    SCAN,
    SENDS_ALERTS,
    TAKES_ONCE,
    UPDATE_ITEM,
    EventRouteSpec,
    FunctionSpec,
    QueueSpec,
    TableSpec,
    access,
)

# "buyer": the sparse index of orders by their buyer's account (orders.rules.privacy.buyer_ref), for
# erasing a buyer at the platform's request without a scan.
ORDERS_TABLE = TableSpec(
    "OrdersTable",
    ENV_ORDERS_TABLE,
    hash_key="shop_key",
    range_key="order_id",
    indexes=(("buyer", "buyer_ref", None),),
)


# One record per erasure request a platform sent (orders.storage.privacy): what was erased, when.
PRIVACY_TABLE = TableSpec("PrivacyTable", ENV_PRIVACY_TABLE, hash_key="request_key")


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


# --- order notices: Amazon SP-API ORDER_CHANGE → SQS; Shopify webhooks → EventBridge → SQS ---------
# The AWS account SP-API's notifications are sent from (SP-API "Notifications API v1 use case guide",
# SQS workflow step 1: the queue policy grants it sqs:SendMessage and sqs:GetQueueAttributes).
SP_API_NOTIFICATIONS_ACCOUNT = "437568002678"

AMAZON_NOTICES_QUEUE = QueueSpec(
    "AmazonNoticesQueue",
    ENV_AMAZON_NOTICES_QUEUE_URL,
    visibility_timeout_s=360,
    sender_account=SP_API_NOTIFICATIONS_ACCOUNT,
)


SHOPIFY_NOTICES_QUEUE = QueueSpec(
    "ShopifyNoticesQueue", ENV_SHOPIFY_NOTICES_QUEUE_URL, visibility_timeout_s=360
)


# Shopify's EventBridge deliveries carry detail-type "shopifyWebhook"; the rule takes only those.
SHOPIFY_NOTICES_ROUTE = EventRouteSpec(
    "ShopifyNoticesRoute",
    queue="ShopifyNoticesQueue",
    context_key=SHOPIFY_EVENT_SOURCE_CONTEXT,
    env_var=ENV_SHOPIFY_EVENT_SOURCE,
    detail_types=("shopifyWebhook",),
)


def _notice_taker(name: str, handler: str, queue: str) -> FunctionSpec:
    return FunctionSpec(
        name=name,
        folder="orders_notices",
        handler=handler,
        timeout_s=60,
        queue=queue,
        batch_size=10,
        tables={
            "ShopsTable": access(GET_ITEM, UPDATE_ITEM, indexes={"push": (QUERY,)}),
            "OrdersTable": access(BATCH_GET_ITEM, GET_ITEM, PUT_ITEM, UPDATE_ITEM),
            "NoticesTable": TAKES_ONCE,
        },
        sends_to=("OrderEventsQueue", "ShipmentEventsQueue"),
        reads_secrets=True,
        alerts=False,  # a refused notice is logged and counted; the pull and its alerts stay the net
    )


ORDERS_NOTICES_AMAZON = _notice_taker("orders-notices-amazon", "handler.amazon", "AmazonNoticesQueue")


ORDERS_NOTICES_SHOPIFY = _notice_taker("orders-notices-shopify", "handler.shopify", "ShopifyNoticesQueue")


# --- eBay Marketplace Account Deletion (developer.ebay.com/marketplace-account-deletion) ------------
# A function URL registered in eBay's developer portal: eBay's endpoint check (GET challenge_code) and
# its signed deletion notifications; the buyer is erased from the orders table, and a record written.
EBAY_ACCOUNT_DELETION = FunctionSpec(
    name="ebay-account-deletion",
    folder="ebay_account_deletion",
    handler="handler.handler",
    timeout_s=30,
    url=True,
    reads_app_secrets=True,  # crossdock/apps/ebay: app keys (getPublicKey) and the verification token
    tables={
        # the buyer's orders by the "buyer" index, each read and erased in one conditional update
        "OrdersTable": access(GET_ITEM, UPDATE_ITEM, indexes={"buyer": (QUERY,)}),
        "NoticesTable": TAKES_ONCE,
        "PrivacyTable": access(PUT_ITEM),  # conditional: the first record of a request stays
    },
    alerts=False,  # a refused notification is logged and counted; a failure is retried by eBay
)
