"""Dead-letter queue depths: SQS GetQueueAttributes (ApproximateNumberOfMessages) on each queue's
DLQ, found by the variable its spec names (`QueueSpec.dlq_env_var`). A variable that is missing,
or a queue that cannot be read, is an unknown depth with a note — never a failed status screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from botocore.exceptions import BotoCoreError, ClientError

from crossdock.core import aws
from crossdock.core.dead_letters import counts
from crossdock.core.specs import QueueSpec
from crossdock.operations.views import QueueDepth


def dead_letter_depths(queues: Sequence[QueueSpec], environment: Mapping[str, str]) -> tuple[QueueDepth, ...]:
    return tuple(_depth(spec, environment.get(spec.dlq_env_var, "")) for spec in queues)


def _depth(spec: QueueSpec, url: str) -> QueueDepth:
    if not url:
        return QueueDepth(spec.logical_id, spec.dlq_env_var, None, f"{spec.dlq_env_var} is not set")
    try:
        waiting, _ = counts(aws.client("sqs"), url)
    except (BotoCoreError, ClientError) as exc:
        return QueueDepth(spec.logical_id, spec.dlq_env_var, None, f"cannot be read: {exc}"[:200])
    return QueueDepth(spec.logical_id, spec.dlq_env_var, waiting)
