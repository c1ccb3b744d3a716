"""Suppliers worker (SQS supplier-tasks): checks one batch of products per record through the
freshness gate. Body: {"kind": "suppliers.check", "skus": [...], "planned_at"}. A product with no
fresh supplier is not a failed record: it is marked and alerted. A malformed task is reported
failed and ends in the alarmed dead-letter queue."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.figures import PRODUCTS_BLOCKED
from crossdock.core.observability import counts_failures, logger, metrics, tracer
from crossdock.suppliers import compose as suppliers_compose
from crossdock.suppliers.tasks import TASK_KIND
from crossdock.suppliers.usecases.check import CheckReport  # the use case this function runs, loaded at init

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@counts_failures("suppliers-worker")  # its FunctionSpec name (tests/integration/functions check it)
@tracer.capture_method(capture_response=False)
def check(record: SQSRecord) -> None:
    task = json.loads(record.body)
    if task.get("kind") != TASK_KIND or not isinstance(task.get("skus"), list):
        logger.error("malformed supplier task", extra={"body": record.body[:300]})
        raise ValueError(f"not a {TASK_KIND} task")
    report: CheckReport = suppliers_compose.supplier_checker(settings()).check(task["skus"])
    metrics.add_metric(name="SupplierProductsChecked", unit="Count", value=report.checked)
    metrics.add_metric(name=PRODUCTS_BLOCKED, unit="Count", value=len(report.blocked))
    metrics.add_metric(name="SupplierReads", unit="Count", value=report.reads)
    for reason, count in report.rejected.items():
        metrics.add_metric(name=f"SupplierRejected_{reason}", unit="Count", value=count)
    metrics.add_metric(name="SupplierQuotaExhausted", unit="Count", value=len(report.quota_exhausted))
    logger.info(
        "supplier checks",
        extra={
            "checked": report.checked,
            "blocked": report.blocked,
            "rejected": report.rejected,
            "stuck": report.stuck,
            "quota_exhausted": report.quota_exhausted,
        },
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=check, processor=processor, context=context)
