"""SQS queues from QueueSpec, each with its dead-letter queue; plus the queue for failed deliveries.

Every queue is SQS-managed-SSE encrypted and denies non-TLS access. A work queue's visibility timeout
is at least six times its slowest consumer's timeout (AWS guidance for Lambda event sources), so a
message is not redelivered while a batch is still running.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from crossdock.core.specs import QueueSpec

from infra.components.errors import InfraConfigError
from infra.components.naming import pin_logical_id

DEAD_LETTER_RETENTION = Duration.days(14)  # the SQS maximum: time to inspect and redrive
SQS_MAX_VISIBILITY_S = 12 * 60 * 60
VISIBILITY_PER_TIMEOUT = 6


@dataclass(frozen=True)
class WorkQueue:
    spec: QueueSpec
    queue: sqs.Queue
    dead_letters: sqs.Queue


def visibility_timeout_s(spec: QueueSpec, consumer_timeouts_s: Iterable[int]) -> int:
    """max(spec, 6 × the slowest consumer's timeout), within the SQS limit."""
    seconds = max([spec.visibility_timeout_s, *(VISIBILITY_PER_TIMEOUT * t for t in consumer_timeouts_s)])
    if seconds > SQS_MAX_VISIBILITY_S:
        raise InfraConfigError(
            f"{spec.logical_id}: visibility timeout {seconds}s exceeds the SQS maximum of "
            f"{SQS_MAX_VISIBILITY_S}s; lower the consuming function's timeout_s"
        )
    return seconds


def dead_letter_queue(scope: Construct, logical_id: str, *, fifo: bool = False) -> sqs.Queue:
    queue = sqs.Queue(
        scope,
        logical_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=DEAD_LETTER_RETENTION,
        fifo=fifo or None,  # a FIFO queue's dead letters must be FIFO too
    )
    pin_logical_id(queue, logical_id)
    return queue


def build_work_queue(scope: Construct, spec: QueueSpec, consumer_timeouts_s: Iterable[int]) -> WorkQueue:
    dead_letters = dead_letter_queue(scope, f"{spec.logical_id}Dlq", fifo=spec.fifo)
    queue = sqs.Queue(
        scope,
        spec.logical_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(spec.retention_days),
        visibility_timeout=Duration.seconds(visibility_timeout_s(spec, consumer_timeouts_s)),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=spec.max_receive_count),
        fifo=spec.fifo or None,
    )
    pin_logical_id(queue, spec.logical_id)
    return WorkQueue(spec=spec, queue=queue, dead_letters=dead_letters)
