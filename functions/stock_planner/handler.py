"""Stock planner (EventBridge rule, every 5 minutes, "Scheduled Event" envelope): announces every SKU
a listing shows differently from what is sellable now, asks for the flushes whose marks are due, and
alerts listings left over-offering (`stock.usecases.drift`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import logger, metrics, tracer
from crossdock.stock import compose as stock_compose
from crossdock.stock.usecases.drift import DriftReport  # the use case this function runs, loaded at init


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    report: DriftReport = stock_compose.drift_planner(settings()).plan()
    metrics.add_metric(name="StockDriftAnnounced", unit="Count", value=len(report.drifted))
    metrics.add_metric(name="StockFlushesRequested", unit="Count", value=len(report.flushes))
    metrics.add_metric(name="StockListingsStuck", unit="Count", value=len(report.stuck))
    logger.info(
        "stock drift planned",
        extra={
            "listings": report.listings,
            "announced": len(report.drifted),
            "skipped": report.skipped,
            "unmanaged": report.unmanaged,
            "under_review": report.under_review,
            "flushes": sorted(report.flushes),
            "stuck": len(report.stuck),
            "schedule": event.resources,
        },
    )
    return {"listings": report.listings, "announced": len(report.drifted)}
