"""eBay Marketplace Account Deletion endpoint (Lambda function URL).

GET ?challenge_code=… → 200 {"challengeResponse": …} (eBay's endpoint check). POST → the signed
notification verified, the buyer erased once per notification id → 204. The answers follow eBay's
SDK: 204 on success (a replay too: eBay must stop resending), 412 when the signature does not verify
(or names a key eBay does not know), 400 for a verified body that is not a notification. A fault
(eBay's key service down, DynamoDB) raises: the function URL answers 502 and eBay resends.
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
from crossdock.orders import compose as orders_compose
from crossdock.orders.rules.notices import FORGED, MALFORMED
from crossdock.orders.usecases.erase import AccountDeletions  # the use case, loaded at init

JSON = {"content-type": "application/json"}
STATUS = {FORGED: 412, MALFORMED: 400}  # any other refusal (a replay) is acknowledged: 204


@lru_cache(maxsize=1)  # one per warm container; Settings hash by identity: a new environment, a new one
def _deletions(current: Settings) -> AccountDeletions:
    return orders_compose.ebay_account_deletions(current)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics(capture_cold_start_metric=True)
@tracer.capture_lambda_handler(capture_response=False)
@counts_failures("ebay-account-deletion")  # its FunctionSpec name
@event_source(data_class=LambdaFunctionUrlEvent)
def handler(event: LambdaFunctionUrlEvent, context: LambdaContext) -> dict[str, Any]:
    arrived_at = f"https://{event.request_context.domain_name}{event.raw_path}"
    if event.http_method == "GET":
        code = event.get_query_string_value("challenge_code")
        if not code:
            return {"statusCode": 400, "headers": JSON, "body": '{"error":"challenge_code required"}'}
        answer = _deletions(settings()).challenge(code, arrived_at)
        return {"statusCode": 200, "headers": JSON, "body": json.dumps({"challengeResponse": answer})}
    if event.http_method != "POST":
        return {"statusCode": 405, "headers": {"allow": "GET, POST"}, "body": ""}
    deletions = _deletions(settings())
    register_invocation(deletions.once, context)
    outcome = deletions.take(dict(event.headers), request_body(event.body, event.is_base64_encoded))
    status = STATUS.get(outcome.get("reason", ""), 204) if outcome.get("outcome") == "refused" else 204
    return {"statusCode": status, "headers": {}, "body": ""}
