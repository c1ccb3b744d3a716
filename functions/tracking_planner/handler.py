"""Tracking planner (EventBridge rule, every 15 minutes, "Scheduled Event" envelope): enqueues the
due parcels as carrier-grouped tasks, then sends one digest each for the parcels the workers newly
followed up (no source answers), those still failing 2 hours on (escalation), and new stalls."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import logger, metrics, tracer
from crossdock.tracking import compose as tracking_compose
from crossdock.tracking.usecases.plan import PlanReport  # the use case this function runs, loaded at init


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=EventBridgeEvent)
def handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    report: PlanReport = tracking_compose.tracking_planner(settings()).plan()
    metrics.add_metric(name="ParcelsPlanned", unit="Count", value=report.planned)
    metrics.add_metric(name="ParcelsStalledReported", unit="Count", value=report.stalled_reported)
    metrics.add_metric(name="ParcelsFollowUpReported", unit="Count", value=report.follow_ups_reported)
    metrics.add_metric(name="ParcelsEscalated", unit="Count", value=report.escalated)
    logger.info(
        "tracking planned",
        extra={
            "due": report.due,
            "planned": report.planned,
            "tasks": report.tasks,
            "by_carrier": report.by_carrier,
            "stalled_reported": report.stalled_reported,
            "follow_ups_reported": report.follow_ups_reported,
            "escalated": report.escalated,
            "schedule": event.resources,
        },
    )
    return {
        "planned": report.planned,
        "tasks": report.tasks,
        "stalled_reported": report.stalled_reported,
        "follow_ups_reported": report.follow_ups_reported,
        "escalated": report.escalated,
    }
