"""FBA sync (EventBridge rule, hourly, "Scheduled Event" envelope): Amazon's fulfillable units become
each SKU's `fba:<shop>` on-hand; changed SKUs are announced for a push."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import logger, metrics, tracer
from crossdock.stock import compose as stock_compose
from crossdock.stock.usecases.fba_sync import FbaSyncReport  # the use case this function runs, loaded at init


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    report: FbaSyncReport = stock_compose.fba_sync(settings()).run()
    metrics.add_metric(name="FbaSkusChanged", unit="Count", value=len(report.changed))
    metrics.add_metric(name="FbaShopsFailed", unit="Count", value=len(report.failed))
    metrics.add_metric(name="FbaCountsRefused", unit="Count", value=len(report.refused))
    if report.refused:
        logger.error(
            "FBA counts refused", extra={"refused": report.refused[:50], "count": len(report.refused)}
        )
    logger.info(
        "FBA inventory synced",
        extra={
            "shops": report.shops,
            "full_reads": report.full_reads,
            "summaries": report.summaries,
            "changed": len(report.changed),
            "failed": report.failed,
            "refused": len(report.refused),
            "schedule": event.resources,
        },
    )
    return {
        "shops": len(report.shops),
        "full_reads": len(report.full_reads),
        "changed": len(report.changed),
        "failed": sorted(report.failed),
    }
