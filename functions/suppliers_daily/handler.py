"""Suppliers daily (EventBridge rule, 01:00 UTC = 09:00 China time): the purchase suggestion list —
7-day sales to quantities, each with a fresh supplier, price and data age — e-mailed to purchasing."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import logger, metrics, tracer
from crossdock.suppliers import compose as suppliers_compose
from crossdock.suppliers.usecases.suggest import (
    SuggestionReport,  # the use case this function runs, loaded at init
)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    report: SuggestionReport = suppliers_compose.replenisher(settings()).daily()
    blocked = [line.suggestion.sku for line in report.lines if line.decision.chosen is None]
    metrics.add_metric(name="PurchaseSuggestions", unit="Count", value=len(report.lines))
    logger.info(
        "purchase suggestions",
        extra={"considered": report.considered, "suggested": len(report.lines), "blocked": blocked},
    )
    return {"considered": report.considered, "suggested": len(report.lines), "blocked": len(blocked)}
