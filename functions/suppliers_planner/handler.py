"""Suppliers planner (EventBridge rule, every 15 minutes, "Scheduled Event" envelope): one SQS
task per batch of catalog products for the suppliers worker."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import logger, metrics, tracer
from crossdock.suppliers import compose as suppliers_compose
from crossdock.suppliers.usecases.plan import (
    SupplierPlanReport,  # the use case this function runs, loaded at init
)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    report: SupplierPlanReport = suppliers_compose.supplier_planner(settings()).plan()
    metrics.add_metric(name="SupplierTasksEnqueued", unit="Count", value=report.tasks)
    logger.info("supplier checks planned", extra={"products": report.products, "tasks": report.tasks})
    return {"products": report.products, "tasks": report.tasks}
