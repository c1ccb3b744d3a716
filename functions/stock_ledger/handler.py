"""Stock ledger (SQS order-events): each order event reserves, releases or consumes stock per line."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock import bootstrap
from crossdock.config import settings
from crossdock.constants import STOCK_LEDGER
from crossdock.domain.events import SCHEMA
from crossdock.observability import counts_failures, logger, metrics, tracer

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@counts_failures(STOCK_LEDGER.name)
@tracer.capture_method(capture_response=False)
def handle_event(record: SQSRecord) -> None:
    event = json.loads(record.body)
    if event.get("schema") != SCHEMA or event.get("schema_version") != 1:
        raise ValueError(f"not a crossdock order event v1: {record.body[:200]}")
    report = bootstrap.stock_ledger(settings()).apply(event)
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
