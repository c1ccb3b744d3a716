"""Stock adjuster (SQS stock-adjustments): one own-warehouse count change per message.

Body: {"adjustment_id", "sku", "warehouse", "on_hand"} (absolute) or {…, "delta"} (relative). The
id makes a redelivery harmless. A malformed message is logged and reported failed, so after the
queue's maxReceiveCount it rests in the dead-letter queue (alarmed) for a person to look at.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock import bootstrap
from crossdock.config import settings
from crossdock.observability import logger, metrics, tracer
from crossdock.usecases.own_stock import Adjustment

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_method(capture_response=False)
def adjust(record: SQSRecord) -> None:
    try:
        adjustment = Adjustment.parse(json.loads(record.body))
    except ValueError as exc:  # JSONDecodeError is a ValueError
        metrics.add_metric(name="StockAdjustmentsMalformed", unit="Count", value=1)
        logger.error("malformed stock adjustment", extra={"error": str(exc), "body": record.body[:300]})
        raise
    result = bootstrap.own_stock(settings()).adjust(adjustment)
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
