"""Operations digest (EventBridge rule, 01:00 UTC daily): the last day of every job on one e-mail to
the reports topic — per shop orders, lag and state; stock pushes, refusals and drift; tracking
incidents; products without a fresh supplier; dead-letter depths; the alerts sent."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import logger, metrics, tracer
from crossdock.operations import compose as operations_compose
from crossdock.operations.usecases.digest import (
    DailyDigest,
)  # the use case this function runs, loaded at init


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    digest: DailyDigest = operations_compose.daily_digest(settings())
    snapshot = digest.send()
    unknown = [q.queue for q in snapshot.dead_letters if q.depth is None]
    waiting = sum(q.depth or 0 for q in snapshot.dead_letters)
    metrics.add_metric(name="DeadLettersAtDigest", unit="Count", value=waiting)
    logger.info(
        "operations digest sent",
        extra={
            "health": snapshot.health.level,
            "reasons": list(snapshot.health.reasons),
            "unknown_dlqs": unknown,
        },
    )
    return {
        "health": snapshot.health.level,
        "shops": len(snapshot.shops),
        "orders": sum(shop.orders or 0 for shop in snapshot.shops),
        "alerts": sum(1 for a in snapshot.alerts if a.topic == "alerts"),
        "dead_letters": {q.queue: q.depth for q in snapshot.dead_letters},
    }
