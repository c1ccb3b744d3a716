"""What every push receiver shares: refusing a message loudly, counting what it took, and acting on
each delivered message once.

A refusal is a warning log line naming the system, the reason and what was wrong (never the
message's secrets), and one `PushesRefused` {system, reason} figure; nothing is stored. A replay is
one refusal reason among others: `once` runs the work under Powertools Idempotency (a DynamoDB
record per message key, `Settings.notices_table`), and a second delivery of the same key gets the
first one's result marked `replayed` instead of running again. A delivery that fails (raises) gives
its key back, so the platform's retry runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from crossdock.core import figures
from crossdock.core.observability import logger, record_figure

if TYPE_CHECKING:
    from crossdock.core.config import Settings

# Platforms retry for hours (Shopify: 8 times over 4 hours; eBay and Amazon: undocumented): a week
# covers every documented retry schedule with room.
REMEMBER_FOR = timedelta(days=7)


def refuse(system: str, reason: str, detail: str, **fields: Any) -> dict[str, Any]:
    """Log and count one refused message; returns the outcome a handler reports."""
    logger.warning(
        "push refused: nothing stored",
        extra={"system": system, "reason": reason, "detail": detail[:500], **fields},
    )
    record_figure(
        figures.PUSHES_REFUSED, 1, {figures.INBOUND_DIMENSION: system, figures.REASON_DIMENSION: reason}
    )
    return {"outcome": "refused", "reason": reason, "detail": detail[:500], **fields}


def taken(system: str) -> None:
    record_figure(figures.PUSHES_TAKEN, 1, {figures.INBOUND_DIMENSION: system})


def request_body(body: str | None, is_base64_encoded: bool) -> bytes:
    """A webhook's body exactly as sent (signatures cover these bytes), from a function URL event:
    Lambda base64-encodes a body it does not take for text."""
    import base64

    return base64.b64decode(body or "") if is_base64_encoded else (body or "").encode("utf-8")


Work = Callable[[], Mapping[str, Any]]
Once = Callable[[str, str, Work], dict[str, Any]]


def run_always(system: str, key: str, work: Work) -> dict[str, Any]:
    """No deduplication (unit tests of use cases): the work runs every time."""
    return dict(work())


class OncePerKey:
    """`once(system, key, work)`: `work()` the first time `system#key` is delivered, and a refusal
    (reason `replayed`, logged and counted) every later time within REMEMBER_FOR. A handler calls
    `register_lambda_context(context)` per invocation, so a record left "in progress" by a function
    that timed out expires with it instead of refusing the platform's retry."""

    def __init__(self, settings: Settings) -> None:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        from crossdock.core import aws

        self.config = IdempotencyConfig(
            event_key_jmespath="key",
            expires_after_seconds=int(REMEMBER_FOR.total_seconds()),
            response_hook=_replayed,
            raise_on_no_idempotency_key=True,
        )
        persistence = DynamoDBPersistenceLayer(
            table_name=settings.notices_table, boto3_client=aws.client("dynamodb")
        )

        # Decorated once: only `message` is the idempotency key; `work` and `system` pass through.
        @idempotent_function(
            data_keyword_argument="message", persistence_store=persistence, config=self.config
        )
        def take(*, message: dict[str, str], work: Work, system: str) -> dict[str, Any]:
            return {**work(), "system": system, "key": message["key"]}

        self._take = take

    def register_lambda_context(self, context: Any) -> None:
        self.config.register_lambda_context(context)

    def __call__(self, system: str, key: str, work: Work) -> dict[str, Any]:
        return dict(self._take(message={"key": f"{system}#{key}"}, work=work, system=system))


def _replayed(response: Any, idempotent_data: Any) -> Any:
    first = dict(response or {})
    return refuse(
        first.get("system", "?"), figures.REPLAYED, "already taken in", key=first.get("key"), first=first
    )


def once_per_key(settings: Settings) -> OncePerKey:
    return OncePerKey(settings)


def register_invocation(once: Once, context: Any) -> None:
    """Tell `once` the Lambda invocation it runs in (a record left in progress by an invocation that
    timed out then expires with it); a no-op for `run_always`."""
    if isinstance(once, OncePerKey):
        once.register_lambda_context(context)
