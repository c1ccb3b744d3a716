"""Stock ledger (SQS order-events): each order event reserves, releases or consumes stock per line."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import counts_failures, logger, metrics, tracer
from crossdock.stock import compose as stock_compose
from crossdock.stock.usecases.ledger import order_event

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@counts_failures("stock-ledger")  # its FunctionSpec name (tests/integration/functions check it)
@tracer.capture_method(capture_response=False)
def handle_event(record: SQSRecord) -> None:
    event = order_event(record.body)
    report = stock_compose.stock_ledger(settings()).apply(event)
    metrics.add_metric(name="ReservationsApplied", unit="Count", value=report.applied)
    if report.oversold:
        metrics.add_metric(name="OversoldLines", unit="Count", value=len(report.oversold))
    logger.info(
        "order event applied",
        extra={
            "order_id": event.get("order_id"),
            "applied": report.applied,
            "skus": report.changed_skus,
            "oversold": report.oversold,
        },
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=handle_event, processor=processor, context=context
    )
