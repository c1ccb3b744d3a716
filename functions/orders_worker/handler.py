"""Order worker (SQS order-tasks): pulls or reconciles one shop per record, reports partial failures.

A record fails (and SQS redelivers it, then dead-letters it) only on unexpected errors, which also
mark the shop failing and count as `TasksFailed` (alarmed); channel faults are handled inside the
use case (retries, breaker, alerts, checkpoint kept). A task for a busy shop is deferred, not failed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core import figures
from crossdock.core.config import settings
from crossdock.core.observability import counts_failures, logger, metrics, record_figure, tracer
from crossdock.orders import compose as orders_compose
from crossdock.orders.usecases.pull import PullReport
from crossdock.orders.usecases.reconcile import Reconciler
from crossdock.orders.usecases.tasks import ShopTask

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@counts_failures("orders-worker")  # its FunctionSpec name (tests/integration/functions check it)
@tracer.capture_method(capture_response=False)
def handle_task(record: SQSRecord, lambda_context: LambdaContext) -> None:
    task = ShopTask.from_json(record.body)
    context = lambda_context
    puller = orders_compose.order_puller(
        settings(),
        remaining=lambda: timedelta(milliseconds=context.get_remaining_time_in_millis()),
        owner=f"{context.aws_request_id}:{record.message_id}",
    )
    with logger.append_context_keys(
        shop_id=task.shop_id, task_kind=task.kind, correlation_id=record.message_id
    ):
        report = Reconciler(puller).reconcile(task) if task.kind == "reconcile" else puller.pull(task)
        _record_metrics(report)
        logger.info("shop task finished", extra={"report": report.figures()})


def _record_metrics(report: PullReport) -> None:
    metrics.add_metric(name="OrdersNew", unit="Count", value=report.new)
    metrics.add_metric(name="OrdersUpdated", unit="Count", value=report.updated)
    metrics.add_metric(name="ApiCalls", unit="Count", value=report.stats.total_calls)
    metrics.add_metric(name="ApiRetries", unit="Count", value=report.stats.retries)
    metrics.add_metric(name="OrderEvents", unit="Count", value=report.events)
    if not report.channel:  # the shop was busy: nothing was pulled
        return
    channel = {figures.CHANNEL_DIMENSION: report.channel}
    record_figure(figures.ORDERS_PULLED, report.new + report.updated, channel)
    record_figure(figures.CHANNEL_API_CALLS, report.stats.total_calls, channel)
    if report.lag_seconds is not None:
        record_figure(figures.CHECKPOINT_LAG, report.lag_seconds, channel, MetricUnit.Seconds)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=handle_task, processor=processor, context=context
    )
