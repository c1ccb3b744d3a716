"""eBay Marketplace Account Deletion endpoint (Lambda function URL).

GET ?challenge_code=… → 200 {"challengeResponse": …} (eBay's endpoint check). POST → the signed
notification verified, the buyer erased once per notification id → 204. The answers follow eBay's
SDK: 204 on success (a replay too: eBay must stop resending), 412 when the signature does not verify
(or names a key eBay does not know), 400 for a verified body that is not a notification. A fault
(eBay's key service down, DynamoDB) raises: the function URL answers 502 and eBay resends.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools.utilities.data_classes import LambdaFunctionUrlEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext
from crossdock.core.config import Settings, settings
from crossdock.core.inbound import register_invocation
from crossdock.core.observability import counts_failures, logger, metrics, tracer
from crossdock.orders import compose as orders_compose
from crossdock.orders.rules.notices import FORGED, MALFORMED
from crossdock.orders.usecases.erase import AccountDeletions  # the use case, loaded at init

JSON = {"content-type": "application/json"}
STATUS = {FORGED: 412, MALFORMED: 400}  # any other refusal (a replay) is acknowledged: 204
_built: list[tuple[Settings, AccountDeletions]] = []  # one per warm container (per environment locally)


def _deletions() -> AccountDeletions:
    current = settings()
    if not _built or _built[0][0] is not current:
        _built[:] = [(current, orders_compose.ebay_account_deletions(current))]
    return _built[0][1]


def _body(event: LambdaFunctionUrlEvent) -> bytes:
    raw = event.body or ""
    return base64.b64decode(raw) if event.is_base64_encoded else raw.encode("utf-8")


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
        answer = _deletions().challenge(code, arrived_at)
        return {"statusCode": 200, "headers": JSON, "body": json.dumps({"challengeResponse": answer})}
    if event.http_method != "POST":
        return {"statusCode": 405, "headers": {"allow": "GET, POST"}, "body": ""}
    deletions = _deletions()
    register_invocation(deletions.once, context)
    outcome = deletions.take(dict(event.headers), _body(event))
    status = STATUS.get(outcome.get("reason", ""), 204) if outcome.get("outcome") == "refused" else 204
    return {"statusCode": status, "headers": {}, "body": ""}
