"""Tracking worker (SQS tracking-tasks): refreshes one carrier-grouped batch of parcels per record.

Body: {"kind": "tracking.refresh", "carrier", "parcels": [parcel keys], "planned_at"}. A record
fails (and is retried by SQS, then dead-lettered) only when the batch could not be saved; a parcel
no source could answer is not a failure of the record: it is followed up and alerted.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.figures import SOURCE_DIMENSION
from crossdock.core.observability import counts_failures, logger, metrics, record_figure, tracer
from crossdock.tracking import compose as tracking_compose
from crossdock.tracking.tasks import TASK_KIND
from crossdock.tracking.usecases.refresh import (
    RefreshReport,  # the use case this function runs, loaded at init
)

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def source_metric(source: str, name: str, value: float, unit: str) -> None:
    """Per-source figures carry the source as a dimension (one EMF line each)."""
    record_figure(name, value, {SOURCE_DIMENSION: source}, MetricUnit(unit))


@counts_failures("tracking-worker")  # its FunctionSpec name (tests/integration/functions check it)
@tracer.capture_method(capture_response=False)
def refresh(record: SQSRecord) -> None:
    task = json.loads(record.body)
    if task.get("kind") != TASK_KIND or not isinstance(task.get("parcels"), list):
        logger.error("malformed tracking task", extra={"body": record.body[:300]})
        raise ValueError(f"not a {TASK_KIND} task")
    report: RefreshReport = tracking_compose.tracking_refresher(settings(), metric=source_metric).refresh(
        task["parcels"]
    )
    metrics.add_metric(name="ParcelsRefreshed", unit="Count", value=report.parcels)
    metrics.add_metric(name="ParcelsFollowedUp", unit="Count", value=len(report.followed_up))
    metrics.add_metric(name="TrackingFailovers", unit="Count", value=report.failovers)
    logger.info("tracking refreshed", extra={"carrier": task.get("carrier"), **report.to_dict()})


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=refresh, processor=processor, context=context)
