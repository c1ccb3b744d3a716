"""SQS queues from QueueSpec, each with its dead-letter queue; plus the queue for failed deliveries.

Every queue denies non-TLS access and is encrypted at rest: SQS-managed SSE, except a queue another
AWS account sends to (`QueueSpec.sender_account`: Amazon SP-API's notifications). That one has its
own customer-managed KMS key (rotation on) whose key policy lets the sender `kms:GenerateDataKey`
and `kms:Decrypt`, and a queue policy letting the sender `sqs:SendMessage` and
`sqs:GetQueueAttributes` — Amazon's SP-API Notifications guide (SQS workflow, step 1 and its note on
server-side encryption) and the official SP-API samples' CDK do exactly this. The AWS-managed key
`alias/aws/sqs` cannot be used: its key policy cannot be changed, so no other account can be let in
(Amazon SQS Developer Guide, "Key management"). SSE-SQS with a foreign sender is not documented by
Amazon either way, so the documented KMS setup is used. The key encrypts that one queue and nothing
else, so the grant to the sender reaches nothing else.

Its dead-letter queue stays SQS-managed SSE: only SQS's own redrive writes to it (the sender never
does), it is encrypted at rest all the same, and `crossdock dlq peek` reads it with the permissions
every other dead-letter queue needs. Moving its messages back (`crossdock dlq replay`) sends to the
KMS queue, which needs kms:GenerateDataKey on the key: the key policy trusts this account's IAM
policies (CDK's default key policy), as for any administrator's role.

A work queue's visibility timeout is at least six times its slowest consumer's timeout (AWS guidance
for Lambda event sources), so a message is not redelivered while a batch is still running.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
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
    key: kms.Key | None = None  # the queue's own KMS key, when another account sends to it


def sender_principal(account: str) -> iam.ArnPrincipal:
    """The sending account's root, written as Amazon's guide writes it (arn:aws:iam::<account>:root)."""
    return iam.ArnPrincipal(f"arn:aws:iam::{account}:root")


def sender_key(scope: Construct, spec: QueueSpec, account: str) -> kms.Key:
    """A rotating key for one queue, usable by the sending account to encrypt what it sends."""
    key = kms.Key(
        scope,
        f"{spec.logical_id}Key",
        description=f"Encrypts {spec.logical_id}, which AWS account {account} sends to",
        enable_key_rotation=True,
    )
    pin_logical_id(key, f"{spec.logical_id}Key")
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowSenderAccountToEncrypt",
            principals=[sender_principal(account)],
            actions=["kms:GenerateDataKey", "kms:Decrypt"],
            resources=["*"],  # in a key policy "*" means this key
        )
    )
    return key


def allow_sender(queue: sqs.Queue, account: str) -> None:
    queue.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowSenderAccountToSend",
            principals=[sender_principal(account)],
            actions=["sqs:SendMessage", "sqs:GetQueueAttributes"],
            resources=[queue.queue_arn],
        )
    )


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
    key = sender_key(scope, spec, spec.sender_account) if spec.sender_account else None
    queue = sqs.Queue(
        scope,
        spec.logical_id,
        encryption=sqs.QueueEncryption.KMS if key else sqs.QueueEncryption.SQS_MANAGED,
        encryption_master_key=key,
        enforce_ssl=True,
        retention_period=Duration.days(spec.retention_days),
        visibility_timeout=Duration.seconds(visibility_timeout_s(spec, consumer_timeouts_s)),
        dead_letter_queue=sqs.DeadLetterQueue(queue=dead_letters, max_receive_count=spec.max_receive_count),
        fifo=spec.fifo or None,
    )
    pin_logical_id(queue, spec.logical_id)
    if spec.sender_account:
        allow_sender(queue, spec.sender_account)
    return WorkQueue(spec=spec, queue=queue, dead_letters=dead_letters, key=key)
