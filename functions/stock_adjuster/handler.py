"""Stock adjuster (SQS stock-adjustments): one own-warehouse count change per message.

Body: {"adjustment_id", "sku", "warehouse", "on_hand"} (absolute) or {…, "delta"} (relative). The
id makes a redelivery harmless. A message that is malformed or whose count cannot be true (negative,
fractional, above the ceiling, a delta below zero) is refused by the use case: logged, counted and
alerted, then treated as processed — retrying cannot fix it, so it must not wait silently in the
dead-letter queue. Only faults (DynamoDB, SQS, SNS) fail the record and are retried.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import counts_failures, logger, metrics, tracer
from crossdock.stock import compose as stock_compose
from crossdock.stock.usecases.own_stock import (
    AdjustmentResult,  # the use case this function runs, loaded at init
)

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@counts_failures("stock-adjuster")  # its FunctionSpec name (tests/integration/functions check it)
@tracer.capture_method(capture_response=False)
def adjust(record: SQSRecord) -> None:
    result: AdjustmentResult = stock_compose.own_stock(settings()).receive(record.body)
    adjustment = result.adjustment
    if result.refused:
        metrics.add_metric(name="StockAdjustmentsRefused", unit="Count", value=1)
        logger.error(
            "stock adjustment refused",
            extra={
                "reason": result.refused,
                "adjustment_id": adjustment.adjustment_id if adjustment else None,
                "message_id": record.message_id,
                "body": record.body[:300],
            },
        )
        return
    assert adjustment is not None  # only a refused message has none
    metrics.add_metric(name="StockAdjustmentsApplied", unit="Count", value=0 if result.duplicate else 1)
    logger.info(
        "stock adjustment",
        extra={
            "adjustment_id": adjustment.adjustment_id,
            "sku": adjustment.sku,
            "warehouse": adjustment.warehouse,
            "duplicate": result.duplicate,
            "before": result.before,
            "after": result.after,
            "version": result.version,
        },
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=adjust, processor=processor, context=context)
