"""Stock marker (SQS FIFO stock-changes, grouped by SKU): each change marks the SKU's listings for
their shops' flushes, then one flush task per marked shop goes to the stock-flush queue.

Powertools' `SqsFifoPartialProcessor` with `skip_group_on_error`: a malformed change fails its own
SKU's group only — the valid changes of other SKUs behind it in the batch are marked — and after the
queue's maxReceiveCount it rests in the alarmed dead-letter queue. If the flush tasks cannot be sent,
the whole batch fails and is redelivered (marking again is harmless).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import counts_failures, logger, metrics, tracer
from crossdock.stock import compose as stock_compose
from crossdock.stock.usecases.marks import StockChange, StockMarker

processor = SqsFifoPartialProcessor(skip_group_on_error=True)
marker: StockMarker | None = None


@counts_failures("stock-marker")  # its FunctionSpec name (tests/integration/functions check it)
def mark(record: SQSRecord) -> None:
    assert marker is not None
    try:
        changes = StockChange.parse(json.loads(record.body))
    except ValueError as exc:  # JSONDecodeError is a ValueError
        metrics.add_metric(name="StockChangesMalformed", unit="Count", value=1)
        logger.error("malformed stock change", extra={"error": str(exc), "body": record.body[:200]})
        raise
    marker.mark_all(changes)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    global marker
    marker = stock_compose.stock_marker(settings())
    response = process_partial_response(
        event=event, record_handler=mark, processor=processor, context=context
    )
    report = marker.report
    marked, already, shops = report.marked, report.already, len(report.shops)
    marker.request_flushes(stock_compose.flush_tasks(settings()))
    metrics.add_metric(name="StockListingsMarked", unit="Count", value=marked)
    logger.info(
        "stock changes marked",
        extra={"marked": marked, "already": already, "under_review": report.under_review, "shops": shops},
    )
    return response
