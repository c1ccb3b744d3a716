"""Stock pusher (SQS FIFO stock-changes, grouped by SKU): one push for the whole batch.

Why not Powertools' record-by-record processor here: coalescing is the point — the batch's SKUs
are read once and sent in the channels' bulk calls together. The partial-failure answer follows
the FIFO rule Powertools' `SqsFifoPartialProcessor` applies: from the first failed record on,
every record is reported failed, so no SKU's later change overtakes an earlier one.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.data_classes import SQSEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock import bootstrap
from crossdock.config import settings
from crossdock.observability import logger, metrics, tracer


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=SQSEvent)
def handler(event: SQSEvent, context: LambdaContext) -> dict[str, Any]:
    records = list(event.records)
    skus: list[list[str]] = []
    for record in records:
        try:
            body = json.loads(record.body)
            skus.append([str(body["sku"])] if "sku" in body else [str(s) for s in body["skus"]])
        except (ValueError, KeyError, TypeError):
            logger.error("malformed stock change", extra={"body": record.body[:200]})
            skus.append([])  # marked failed below; after maxReceiveCount it reaches the DLQ
    report = bootstrap.stock_pusher(settings()).push([s for group in skus for s in group], trigger="change")
    metrics.add_metric(name="StockPushed", unit="Count", value=report.pushed)
    metrics.add_metric(name="StockPushFailed", unit="Count", value=len(report.failed_skus))
    first_bad = next(
        (i for i, group in enumerate(skus) if not group or set(group) & report.failed_skus), None
    )
    failures = [] if first_bad is None else [{"itemIdentifier": r.message_id} for r in records[first_bad:]]
    logger.info(
        "stock pushed",
        extra={
            "pushed": report.pushed,
            "unchanged": report.unchanged,
            "outcomes": dict(report.outcomes),
            "failed": sorted(report.failed_skus),
        },
    )
    return {"batchItemFailures": failures}
