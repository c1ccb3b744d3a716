"""Order planners (EventBridge rules, "Scheduled Event" envelope): one SQS task per shop."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import logger, metrics, tracer
from crossdock.orders import compose as orders_compose
from crossdock.orders.usecases.plan import PlanReport  # the use case this function runs, loaded at init


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=EventBridgeEvent)
def plan_pulls(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    report: PlanReport = orders_compose.planner(settings()).plan_pulls()
    metrics.add_metric(name="ShopTasksEnqueued", unit="Count", value=report.enqueued)
    logger.info(
        "pull tasks planned",
        extra={
            "enqueued": report.enqueued,
            "skipped": report.skipped,
            "schedule": event.resources,
            "detail_type": event.detail_type,
        },
    )
    return {"enqueued": report.enqueued, "skipped": report.skipped}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=EventBridgeEvent)
def plan_reconciliations(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    report: PlanReport = orders_compose.planner(settings()).plan_reconciliations()
    metrics.add_metric(name="ReconcileTasksEnqueued", unit="Count", value=report.enqueued)
    logger.info("reconciliation tasks planned", extra={"enqueued": report.enqueued})
    return {"enqueued": report.enqueued}
