"""The operations room's function: the daily operations digest. It owns no table or queue."""

from __future__ import annotations

from crossdock.core.specs import BATCH_GET_ITEM, PUT_ITEM, QUERY, SCAN, FunctionSpec, access

OPERATIONS_DIGEST = FunctionSpec(
    name="operations-digest",
    folder="operations_digest",
    handler="handler.handler",
    timeout_s=300,
    memory_mb=1024,
    # 01:00 UTC daily (09:00 in China): with the purchase suggestions, before the stock read-back at 03:00
    schedule="cron(0 1 * * ? *)",
    tables={
        "ShopsTable": access(SCAN),
        "OrdersTable": access(QUERY),  # orders placed per shop, keys only
        "ListingsTable": access(SCAN),
        "StockTable": access(BATCH_GET_ITEM),
        "StockAuditTable": access(SCAN),
        "ShipmentsTable": access(SCAN),
        "SourceHealthTable": access(SCAN),
        "SourcingTable": access(SCAN),
        # the alert log: reads the day's alerts (the "log" index), writes its own report's entry
        "AlertsTable": access(PUT_ITEM, indexes={"log": (QUERY,)}),
    },
    alerts=False,  # it alerts nobody: what needs a person was alerted by the job that found it
    reports=True,
    reads_queue_depths=True,
)
