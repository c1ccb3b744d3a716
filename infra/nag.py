"""Every cdk-nag acknowledgement (AwsSolutions, Serverless and Crossdock packs) in one place, each with its reason.

Acknowledgements are derived from the specs, like the resources they are about, so a new function,
table or queue is covered by the same reasoning without touching this file. Each is attached to the
narrowest construct it concerns; cdk-nag v3 matches a finding against the construct and its parents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, Validations
from constructs import Construct
from crossdock.core.names import (
    DEFAULT_APP_SECRETS_PREFIX,
    DEFAULT_CARRIER_SECRETS_PREFIX,
    DEFAULT_SECRETS_PREFIX,
    DEFAULT_SUPPLIER_SECRETS_PREFIX,
)

from infra.components.functions import secret_prefixes
from infra.nag_rules import PACK_NAME, URL_AUTH_RULE

if TYPE_CHECKING:
    from infra.components.functions import CrossdockFunction
    from infra.stack import CrossdockStack

XRAY = (
    "Tracing.ACTIVE adds xray:PutTraceSegments and xray:PutTelemetryRecords, which have no "
    "resource-level permissions; the role's data permissions are resource-scoped."
)
RUNTIME = (
    "The runtime is pinned to the layer: its compiled wheels (pydantic-core) are built for this CPython "
    "version by infra/build_layer.py. Upgrade both together in infra/runtime.py."
)
SHOP_SECRETS = (
    "One secret per shop, created when a shop is connected, so names are unknown at deploy time; access "
    f"is scoped to GetSecretValue under the {DEFAULT_SECRETS_PREFIX} prefix only."
)
CARRIER_SECRETS = (
    "One secret per tracking source (4PX, Yanwen, 17TRACK, and any source added later), named "
    f"{DEFAULT_CARRIER_SECRETS_PREFIX}<source>; access is scoped to GetSecretValue under that prefix only."
)
SUPPLIER_SECRETS = (
    "One secret per supplier platform (1688 today), named "
    f"{DEFAULT_SUPPLIER_SECRETS_PREFIX}<platform>; access is scoped to GetSecretValue under that prefix only."
)
APP_SECRETS = (
    "One secret per platform crossdock is itself an application of (eBay today: its app keys and the "
    f"account-deletion endpoint's verification token), named {DEFAULT_APP_SECRETS_PREFIX}<platform>; "
    "access is scoped to GetSecretValue under that prefix only."
)
SYNCHRONOUS = (
    "Not invoked asynchronously (SQS event source, function URL or direct invoke), so a Lambda DLQ would never "
    "receive anything; failed SQS messages go to the source queue's redrive dead-letter queue."
)
SQS_SOURCE = (
    "On-failure destinations exist for stream and Kafka event sources only; for SQS the source queue's "
    "redrive policy (maxReceiveCount → dead-letter queue, alarmed) is the failure destination."
)
WEBHOOK = (
    "A webhook receiver: the platform that calls it (17TRACK's push, eBay's account-deletion "
    "notifications) cannot sign AWS SigV4 requests, so AWS_IAM auth would refuse it; each request is "
    "signed with the platform's own documented scheme, which the handler verifies before anything "
    "else. A forged request is refused with no side effect, logged, counted and alarmed (ForgedPushesAlarm)."
)
DEAD_LETTER = (
    "This queue is itself a dead-letter queue (14-day retention, alarm on any visible message); it has "
    "no redrive policy of its own by design."
)


@dataclass(frozen=True)
class Ack:
    scope: Construct
    rule: str
    reason: str


def _function_acks(fn: CrossdockFunction, stack: CrossdockStack) -> list[Ack]:
    spec = fn.spec
    acks = [
        Ack(fn.role, "AwsSolutions-IAM5[Resource::*]", XRAY),
        Ack(fn.function, "AwsSolutions-L1", RUNTIME),
        Ack(fn.function, "Serverless-LambdaLatestVersion", RUNTIME),
    ]
    reasons = {
        DEFAULT_SECRETS_PREFIX: SHOP_SECRETS,
        DEFAULT_CARRIER_SECRETS_PREFIX: CARRIER_SECRETS,
        DEFAULT_SUPPLIER_SECRETS_PREFIX: SUPPLIER_SECRETS,
        DEFAULT_APP_SECRETS_PREFIX: APP_SECRETS,
    }
    for _, prefix in secret_prefixes(spec):
        secrets = f"arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:{prefix}*"
        acks.append(Ack(fn.role, f"AwsSolutions-IAM5[Resource::{secrets}]", reasons[prefix]))
    if not spec.schedule:
        acks.append(Ack(fn.function, "Serverless-LambdaDLQ", SYNCHRONOUS))
    if spec.queue:
        acks.append(Ack(fn.function, "Serverless-LambdaEventSourceMappingDestination", SQS_SOURCE))
    if fn.url:  # on the URL only: the function itself stays checked like any other
        acks.append(Ack(fn.url, f"{PACK_NAME}-{URL_AUTH_RULE}", WEBHOOK))
    return acks


def acknowledgements(stack: CrossdockStack) -> list[Ack]:
    acks = [ack for fn in stack.functions.values() for ack in _function_acks(fn, stack)]
    dead_letter_queues = [work.dead_letters for work in stack.queues.values()] + [stack.undeliverable]
    acks += [Ack(queue, "Serverless-SQSRedrivePolicy", DEAD_LETTER) for queue in dead_letter_queues]
    return acks


def acknowledge_findings(stack: CrossdockStack) -> list[Ack]:
    acks = acknowledgements(stack)
    for ack in acks:
        Validations.of(ack.scope).acknowledge(Acknowledgment(id=ack.rule, reason=ack.reason))
    return acks
