"""Stock flusher (SQS FIFO stock-flush, grouped by shop): drains one shop's marked listings to its
channel in the channel's largest batches (`stock.usecases.flush`).

`SqsFifoPartialProcessor` with `skip_group_on_error`: a flush that cannot run now (the channel failed
the whole call) fails its own shop's group only and is redelivered after the visibility timeout —
its listings stay marked, so nothing is dropped; other shops' flushes in the batch go on.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.figures import CHANNEL_DIMENSION
from crossdock.core.observability import counts_failures, logger, metrics, record_figures, tracer
from crossdock.stock import compose as stock_compose
from crossdock.stock.usecases.flush import FlushDeferred

processor = SqsFifoPartialProcessor(skip_group_on_error=True)


@counts_failures("stock-flusher")  # its FunctionSpec name (tests/integration/functions check it)
def flush(record: SQSRecord, lambda_context: LambdaContext) -> None:
    shop_key = str(json.loads(record.body)["shop_key"])
    remaining = lambda: lambda_context.get_remaining_time_in_millis() / 1000  # noqa: E731
    try:
        report = stock_compose.stock_flush(settings(), remaining_s=remaining).flush(shop_key)
    except FlushDeferred as exc:
        metrics.add_metric(name="StockFlushDeferred", unit="Count", value=1)
        logger.warning("stock flush deferred", extra={"shop_key": shop_key, "error": str(exc)})
        raise
    push = report.push
    metrics.add_metric(name="StockPushed", unit="Count", value=push.pushed)
    metrics.add_metric(name="StockPushRetried", unit="Count", value=report.retried)
    metrics.add_metric(name="StockListingsForReview", unit="Count", value=len(push.reviews))
    metrics.add_metric(name="StockFeedsFailed", unit="Count", value=len(report.feeds_failed))
    record_figures(CHANNEL_DIMENSION, push.per_channel())
    if report.more:
        stock_compose.flush_tasks(settings()).request([shop_key])
    logger.info(
        "stock flushed",
        extra={
            "shop_key": shop_key,
            "pushed": push.pushed,
            "unchanged": push.unchanged,
            "outcomes": dict(push.outcomes),
            "retried": report.retried,
            "for_review": len(push.reviews),
            "settled_s": report.settled_s,
            "passes": report.passes,
            "more": report.more,
        },
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=flush, processor=processor, context=context)
