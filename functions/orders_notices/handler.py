"""Order notices (SQS): Amazon SP-API ORDER_CHANGE messages, and Shopify webhooks forwarded by
EventBridge. Each record: the notice → the order read by id → stored as the pull stores it.

A refused notice (malformed, unknown shop, replay) is logged and counted and its record succeeds:
delivering it again could not make it acceptable. A channel fault or an unexpected error fails the
record (partial batch response): SQS delivers it again, then dead-letters it (alarmed); the order
pull reads the order anyway.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core import figures
from crossdock.core.config import Settings, settings
from crossdock.core.inbound import register_invocation
from crossdock.core.observability import counts_failures, logger, metrics, record_figure, tracer
from crossdock.orders import compose as orders_compose
from crossdock.orders.usecases.notify import NoticeIntake  # the use case, loaded at init

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@lru_cache(maxsize=1)  # one per warm container; Settings hash by identity: a new environment, a new one
def _intake(current: Settings) -> NoticeIntake:
    return orders_compose.notice_intake(current)


def _take(channel: str, record: SQSRecord, context: LambdaContext) -> None:
    intake = _intake(settings())
    register_invocation(intake.once, context)
    with logger.append_context_keys(channel=channel, correlation_id=record.message_id):
        outcome = intake.take(channel, record.body)
    if "delay_s" in outcome:
        dimensions = {figures.INBOUND_DIMENSION: channel}
        record_figure(figures.NOTICE_DELAY, outcome["delay_s"], dimensions, MetricUnit.Seconds)


@counts_failures("orders-notices-amazon")  # its FunctionSpec name
@tracer.capture_method(capture_response=False)
def _amazon_record(record: SQSRecord, lambda_context: LambdaContext) -> None:
    _take("amazon", record, lambda_context)


@counts_failures("orders-notices-shopify")
@tracer.capture_method(capture_response=False)
def _shopify_record(record: SQSRecord, lambda_context: LambdaContext) -> None:
    _take("shopify", record, lambda_context)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def amazon(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=_amazon_record, processor=processor, context=context
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def shopify(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=_shopify_record, processor=processor, context=context
    )
