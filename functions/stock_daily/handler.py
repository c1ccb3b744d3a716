"""Daily stock check (EventBridge rule, cron, "Scheduled Event" envelope): forced full push,
read-back of every listing, sold versus shipped; findings go out as digest alerts."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.figures import CHANNEL_DIMENSION
from crossdock.core.observability import logger, metrics, record_figures, tracer
from crossdock.stock import compose as stock_compose
from crossdock.stock.usecases.daily import DailyReport  # the use case this function runs, loaded at init


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    report: DailyReport = stock_compose.stock_daily(settings()).run()
    pushed = report.pushed.pushed if report.pushed else 0
    metrics.add_metric(name="DailyStockPushed", unit="Count", value=pushed)
    metrics.add_metric(name="StockReadBackDrift", unit="Count", value=len(report.drifted))
    metrics.add_metric(name="SoldShippedDeviations", unit="Count", value=len(report.sold_shipped))
    for push in (report.pushed, report.repushed):
        if push is not None:
            record_figures(CHANNEL_DIMENSION, push.per_channel())
    logger.info(
        "daily stock check",
        extra={
            "pushed": pushed,
            "read_back": report.read_back,
            "drifted": report.drifted,
            "unreadable": report.unreadable,
            "sold_shipped": report.sold_shipped,
        },
    )
    return {
        "pushed": pushed,
        "read_back": report.read_back,
        "drifted": len(report.drifted),
        "alerted": len(report.alerted),
        "sold_shipped": len(report.sold_shipped),
    }
