"""Every job's resources in one list: what `infra/` deploys and `crossdock_local` builds in moto. Nothing in a job imports this module."""

from __future__ import annotations

from crossdock.core.specs import (
    ALERTS_TABLE,
    FunctionSpec,
    QueueSpec,
    TableSpec,
)
from crossdock.operations.resources import OPERATIONS_DIGEST
from crossdock.orders.resources import (
    ORDER_EVENTS_QUEUE,
    ORDER_TASKS_QUEUE,
    ORDERS_PLANNER,
    ORDERS_RECONCILE_PLANNER,
    ORDERS_TABLE,
    ORDERS_WORKER,
    SHIPMENT_EVENTS_QUEUE,
)
from crossdock.shops.resources import CALLS_TABLE, SHOPS_TABLE
from crossdock.stock.resources import (
    FBA_SYNC,
    LISTINGS_TABLE,
    RESERVATIONS_TABLE,
    STOCK_ADJUSTER,
    STOCK_ADJUSTMENTS_QUEUE,
    STOCK_AUDIT_TABLE,
    STOCK_CHANGES_QUEUE,
    STOCK_DAILY,
    STOCK_FLUSH_QUEUE,
    STOCK_FLUSHER,
    STOCK_LEDGER,
    STOCK_MARKER,
    STOCK_PLANNER,
    STOCK_TABLE,
)
from crossdock.suppliers.resources import (
    SOURCING_TABLE,
    SUPPLIER_DECISIONS_TABLE,
    SUPPLIER_TASKS_QUEUE,
    SUPPLIERS_DAILY,
    SUPPLIERS_PLANNER,
    SUPPLIERS_TABLE,
    SUPPLIERS_WORKER,
)
from crossdock.tracking.resources import (
    SHIPMENTS_REGISTRAR,
    SHIPMENTS_TABLE,
    SOURCE_HEALTH_TABLE,
    TRACKING_PLANNER,
    TRACKING_TASKS_QUEUE,
    TRACKING_WORKER,
)

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
    OPERATIONS_DIGEST,
)
