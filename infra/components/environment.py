"""The stack's published environment: one SSM parameter holding every `CROSSDOCK_*` variable that
names one of its resources, and an output with a stable id naming that parameter.

`crossdock --stack NAME` reads the output `ENVIRONMENT_OUTPUT_ID` of stack NAME, then the parameter
(`/crossdock/<stack>/environment`), once per run: the same variables the functions get, under the
same names (crossdock.core.names), so a deployed stack needs nothing exported by hand.

Besides the resources: each deployed partner route's event source name (`EventRouteSpec.env_var`,
absent when the route is not deployed: `crossdock shops subscribe` says so), and each webhook
receiver's function URL under `function_url_variable(name)` (`CROSSDOCK_<FUNCTION>_URL`, e.g.
CROSSDOCK_TRACKING_PUSH_URL), which the operator gives the platform's dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ssm as ssm
from constructs import Construct
from crossdock.core.names import (
    ENV_ALERTS_TOPIC_ARN,
    ENV_REPORTS_TOPIC_ARN,
    ENVIRONMENT_OUTPUT_ID,
    environment_parameter_name,
)

from infra.components.alerts import EncryptedTopic
from infra.components.functions import SECRET_FAMILIES
from infra.components.naming import pin_logical_id
from infra.components.queues import WorkQueue
from infra.components.routes import PartnerRoute
from infra.components.tables import StoredTable

if TYPE_CHECKING:
    from infra.components.functions import CrossdockFunction

PARAMETER_ID = "EnvironmentParameter"


def function_url_variable(function_name: str) -> str:
    """'tracking-push' → 'CROSSDOCK_TRACKING_PUSH_URL': where the environment names its function URL."""
    return f"CROSSDOCK_{function_name.replace('-', '_').upper()}_URL"


def stack_environment(
    tables: Iterable[StoredTable],
    queues: Iterable[WorkQueue],
    *,
    alerts: EncryptedTopic,
    reports: EncryptedTopic,
    routes: Iterable[PartnerRoute] = (),
    functions: Iterable[CrossdockFunction] = (),
) -> dict[str, str]:
    """Variable → value (CDK tokens until deploy) for every table, queue, dead-letter queue, topic,
    secret prefix, deployed partner event source and function URL of the stack."""
    env = {stored.spec.env_var: stored.table.table_name for stored in tables}
    for work in queues:
        env[work.spec.env_var] = work.queue.queue_url
        env[work.spec.dlq_env_var] = work.dead_letters.queue_url
    env[ENV_ALERTS_TOPIC_ARN] = alerts.topic.topic_arn
    env[ENV_REPORTS_TOPIC_ARN] = reports.topic.topic_arn
    env |= {env_var: prefix for _, env_var, prefix in SECRET_FAMILIES}
    env |= {route.spec.env_var: route.source for route in routes}
    env |= {function_url_variable(fn.spec.name): fn.url.url for fn in functions if fn.url}
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
        # Standard (4 KB, free) while it fits, advanced (8 KB) once it does not: ~4.5 KB for the 43
        # variables of issue 12 (push intake) with a 17-character stack name, so advanced from then on.
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
