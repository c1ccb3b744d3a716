"""Shipments registrar (SQS shipment-events): registers the parcels of each `order.shipped` event.

The orders worker routes `order.shipped` events here (schema crossdock.order-event v1). Registering
a parcel twice changes nothing, so a redelivered event is harmless. The event's optional
`shop_time_zone` is kept on the parcel: the buyer's tracking line gives scan times in it. A
malformed event is logged and reported failed: after the queue's maxReceiveCount it rests in the
alarmed dead-letter queue. A shipment whose number is not a tracking number is not registered:
counted (ShipmentNumbersRefused), logged, alerted, and named in the record's result; the record
itself succeeds (retrying cannot fix it).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import settings
from crossdock.core.observability import counts_failures, logger, metrics, tracer
from crossdock.tracking import compose as tracking_compose
from crossdock.tracking.usecases.register import BadShipmentEvent, shipments_in

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@counts_failures("shipments-registrar")  # its FunctionSpec name (tests/integration/functions check it)
@tracer.capture_method(capture_response=False)
def register(record: SQSRecord) -> dict[str, list[str]]:
    try:
        shipments = shipments_in(json.loads(record.body))
    except (ValueError, BadShipmentEvent) as exc:  # JSONDecodeError is a ValueError
        metrics.add_metric(name="ShipmentEventsMalformed", unit="Count", value=1)
        logger.error("malformed shipment event", extra={"error": str(exc), "body": record.body[:300]})
        raise
    report = tracking_compose.shipment_registrar(settings()).register(shipments)
    metrics.add_metric(name="ParcelsRegistered", unit="Count", value=len(report.new))
    metrics.add_metric(name="ShipmentNumbersRefused", unit="Count", value=len(report.refused))
    refused = [r.describe() for r in report.refused]
    if refused:
        logger.warning("tracking numbers refused, not registered", extra={"refused": refused})
    logger.info("parcels registered", extra={"new": report.new, "known": report.known, "refused": refused})
    return {"new": report.new, "known": report.known, "refused": refused}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=register, processor=processor, context=context
    )
