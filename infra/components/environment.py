"""The stack's published environment: one SSM parameter holding every `CROSSDOCK_*` variable that
names one of its resources, and an output with a stable id naming that parameter.

`crossdock --stack NAME` reads the output `ENVIRONMENT_OUTPUT_ID` of stack NAME, then the parameter
(`/crossdock/<stack>/environment`), once per run: the same variables the functions get, under the
same names (crossdock.core.names), so a deployed stack needs nothing exported by hand.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ssm as ssm
from constructs import Construct
from crossdock.core.names import (
    DEFAULT_CARRIER_SECRETS_PREFIX,
    DEFAULT_SECRETS_PREFIX,
    DEFAULT_SUPPLIER_SECRETS_PREFIX,
    ENV_ALERTS_TOPIC_ARN,
    ENV_CARRIER_SECRETS_PREFIX,
    ENV_REPORTS_TOPIC_ARN,
    ENV_SECRETS_PREFIX,
    ENV_SUPPLIER_SECRETS_PREFIX,
    ENVIRONMENT_OUTPUT_ID,
    environment_parameter_name,
)

from infra.components.alerts import EncryptedTopic
from infra.components.naming import pin_logical_id
from infra.components.queues import WorkQueue
from infra.components.tables import StoredTable

PARAMETER_ID = "EnvironmentParameter"


def stack_environment(
    tables: Iterable[StoredTable],
    queues: Iterable[WorkQueue],
    *,
    alerts: EncryptedTopic,
    reports: EncryptedTopic,
) -> dict[str, str]:
    """Variable → value (CDK tokens until deploy) for every table, queue, dead-letter queue, topic
    and secret prefix of the stack."""
    env = {stored.spec.env_var: stored.table.table_name for stored in tables}
    for work in queues:
        env[work.spec.env_var] = work.queue.queue_url
        env[work.spec.dlq_env_var] = work.dead_letters.queue_url
    env[ENV_ALERTS_TOPIC_ARN] = alerts.topic.topic_arn
    env[ENV_REPORTS_TOPIC_ARN] = reports.topic.topic_arn
    env[ENV_SECRETS_PREFIX] = DEFAULT_SECRETS_PREFIX
    env[ENV_CARRIER_SECRETS_PREFIX] = DEFAULT_CARRIER_SECRETS_PREFIX
    env[ENV_SUPPLIER_SECRETS_PREFIX] = DEFAULT_SUPPLIER_SECRETS_PREFIX
    return env


def publish_environment(scope: Construct, env: Mapping[str, str]) -> ssm.StringParameter:
    """The parameter (a JSON object, resolved at deploy) and the output naming it."""
    stack = Stack.of(scope)
    name = environment_parameter_name(stack.stack_name)
    parameter = ssm.StringParameter(
        scope,
        PARAMETER_ID,
        parameter_name=name,
        string_value=stack.to_json_string(dict(sorted(env.items()))),
        description=f"Crossdock stack {stack.stack_name}: every CROSSDOCK_* resource variable (JSON)",
        # ~3.7 KB for today's 34 variables with a 17-character stack name: standard (4 KB, free) while
        # it fits, advanced (8 KB) once more resources or a longer stack name need it.
        tier=ssm.ParameterTier.INTELLIGENT_TIERING,
    )
    pin_logical_id(parameter, PARAMETER_ID)
    output = CfnOutput(
        scope,
        ENVIRONMENT_OUTPUT_ID,
        value=parameter.parameter_name,
        description="SSM parameter holding this stack's environment for the crossdock CLI (--stack)",
    )
    output.override_logical_id(ENVIRONMENT_OUTPUT_ID)
    return parameter
