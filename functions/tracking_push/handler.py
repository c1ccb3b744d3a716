"""Tracking push (Lambda function URL): 17TRACK's webhook → the parcel updated as a poll would.

The URL has no AWS auth (17TRACK cannot sign AWS requests): the use case checks 17TRACK's `sign`
header over the raw body before reading anything. Answers: 200 for what was taken in, ignored, or
refused for good (stale, replayed, unknown number: delivering it again cannot make it acceptable,
and 17TRACK is asked for a quick 200 — its retry policy is UNCONFIRMED, push-contracts §4); 401 for
a forged or unsigned request; 400 for a body that is not a push. An unexpected error raises: the
function URL answers 502 and 17TRACK may deliver again; the poll reads the parcel anyway.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.data_classes import LambdaFunctionUrlEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import Settings, settings
from crossdock.core.inbound import register_invocation, request_body
from crossdock.core.observability import counts_failures, logger, metrics, tracer
from crossdock.tracking import compose as tracking_compose
from crossdock.tracking.rules.push import FORGED, MALFORMED
from crossdock.tracking.usecases.push import TrackingPush  # the use case, loaded at init

STATUS_BY_REASON = {FORGED: 401, MALFORMED: 400}


@lru_cache(maxsize=1)  # one per warm container; Settings hash by identity: a new environment, a new one
def _push(current: Settings) -> TrackingPush:
    return tracking_compose.tracking_push(current)


@counts_failures("tracking-push")  # its FunctionSpec name
def take(event: LambdaFunctionUrlEvent, context: LambdaContext) -> dict[str, Any]:
    push = _push(settings())
    register_invocation(push.once, context)
    headers = {str(k).lower(): str(v) for k, v in (event.headers or {}).items()}
    outcome = push.take(headers, request_body(event.body, event.is_base64_encoded))
    status = STATUS_BY_REASON.get(str(outcome.get("reason")), 200) if outcome["outcome"] == "refused" else 200
    answer = {k: outcome[k] for k in ("outcome", "reason") if k in outcome}
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(answer)}


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@event_source(data_class=LambdaFunctionUrlEvent)
def handler(event: LambdaFunctionUrlEvent, context: LambdaContext) -> dict[str, Any]:
    return take(event, context)
