"""One Lambda function per FunctionSpec, with its own role, log group, triggers and alarms.

Permissions follow the spec and nothing else: on each table of `spec.tables` exactly the DynamoDB
actions named there (index reads on that index's ARN only), send to `spec.sends_to`, publish alerts
when `spec.alerts`, publish reports when `spec.reports`, read shop secrets under the prefix when
`spec.reads_secrets` (carrier, supplier and crossdock's own app secrets likewise, each under its
prefix), read every queue's and dead-letter queue's attributes (their depths, nothing else: no
receive, no send) when `spec.reads_queue_depths`. A queue with its own KMS key (a foreign sender's)
lets its consumer decrypt: the SQS event source's consume grant adds kms:Decrypt on that key.

A webhook receiver (`spec.url`) gets a Lambda function URL with auth NONE: the platforms that call
it (17TRACK, eBay) cannot sign AWS SigV4 requests; they sign with their own schemes, which the
handler verifies before anything else. It keeps the Errors and Throttles alarms every function has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from crossdock.core.names import (
    DEFAULT_APP_SECRETS_PREFIX,
    DEFAULT_CARRIER_SECRETS_PREFIX,
    DEFAULT_SECRETS_PREFIX,
    DEFAULT_SUPPLIER_SECRETS_PREFIX,
    ENV_ALERTS_TOPIC_ARN,
    ENV_APP_SECRETS_PREFIX,
    ENV_CARRIER_SECRETS_PREFIX,
    ENV_REPORTS_TOPIC_ARN,
    ENV_SECRETS_PREFIX,
    ENV_SUPPLIER_SECRETS_PREFIX,
    ENV_WORKER_CONCURRENCY,
    METRICS_NAMESPACE,
    SERVICE_NAME,
)
from crossdock.core.specs import FunctionSpec, TableAccess

from infra.components.alarms import alarm_on_failed_tasks, alarm_when_positive
from infra.components.alerts import EncryptedTopic
from infra.components.errors import InfraConfigError
from infra.components.naming import construct_id
from infra.components.queues import WorkQueue
from infra.components.routes import PartnerRoute
from infra.components.tables import StoredTable
from infra.runtime import PYTHON_VERSION

RUNTIME: lambda_.Runtime = getattr(lambda_.Runtime, "PYTHON_" + PYTHON_VERSION.replace(".", "_"))
ARCHITECTURE = lambda_.Architecture.ARM_64
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
CODE_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/tests"]
SQS_UNBATCHED_MAX = 10  # above this batch size SQS event sources need a batching window


@dataclass(frozen=True)
class Wiring:
    """Everything a function may be connected to, by spec logical id."""

    tables: Mapping[str, StoredTable]
    queues: Mapping[str, WorkQueue]
    alerts: EncryptedTopic
    reports: EncryptedTopic
    undeliverable: sqs.IQueue
    layer: lambda_.ILayerVersion
    functions_dir: Path
    routes: Mapping[str, PartnerRoute] = field(default_factory=dict)  # the deployed ones only


def code_dir(spec: FunctionSpec, functions_dir: Path) -> Path:
    folder = functions_dir / spec.folder
    module = spec.handler.rsplit(".", 1)[0].replace(".", "/") + ".py"
    if not (folder / module).is_file():
        raise InfraConfigError(
            f"function {spec.name}: handler {spec.handler!r} needs {folder / module}, which does not exist"
        )
    return folder


def function_environment(spec: FunctionSpec, wiring: Wiring) -> dict[str, str]:
    env = {
        "POWERTOOLS_SERVICE_NAME": SERVICE_NAME,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    }
    for table_id in spec.tables:
        stored = wiring.tables[table_id]
        env[stored.spec.env_var] = stored.table.table_name
    for queue_id in dict.fromkeys([*spec.sends_to, *([spec.queue] if spec.queue else [])]):
        work = wiring.queues[queue_id]
        env[work.spec.env_var] = work.queue.queue_url
    if spec.reads_queue_depths:
        for work in wiring.queues.values():
            env[work.spec.env_var] = work.queue.queue_url
            env[work.spec.dlq_env_var] = work.dead_letters.queue_url
    if spec.alerts:
        env[ENV_ALERTS_TOPIC_ARN] = wiring.alerts.topic.topic_arn
    if spec.reports:
        env[ENV_REPORTS_TOPIC_ARN] = wiring.reports.topic.topic_arn
    for env_var, prefix in secret_prefixes(spec):
        env[env_var] = prefix
    for route in wiring.routes.values():
        if spec.queue == route.spec.queue:  # its consumers may check where an event came from
            env[route.spec.env_var] = route.source
    if spec.max_concurrency:
        env[ENV_WORKER_CONCURRENCY] = str(spec.max_concurrency)
    clashes = sorted(env.keys() & spec.env.keys())
    if clashes:
        raise InfraConfigError(f"function {spec.name}: spec.env must not override {clashes}")
    return {**env, **spec.env}


# Every secret family: the FunctionSpec flag that grants it, its variable and its prefix. The stack's
# environment names them all (environment.stack_environment); a function gets those it reads.
SECRET_FAMILIES: tuple[tuple[str, str, str], ...] = (
    ("reads_secrets", ENV_SECRETS_PREFIX, DEFAULT_SECRETS_PREFIX),
    ("reads_carrier_secrets", ENV_CARRIER_SECRETS_PREFIX, DEFAULT_CARRIER_SECRETS_PREFIX),
    ("reads_supplier_secrets", ENV_SUPPLIER_SECRETS_PREFIX, DEFAULT_SUPPLIER_SECRETS_PREFIX),
    ("reads_app_secrets", ENV_APP_SECRETS_PREFIX, DEFAULT_APP_SECRETS_PREFIX),
)


def secret_prefixes(spec: FunctionSpec) -> list[tuple[str, str]]:
    """(environment variable, prefix) of every secret family the function reads."""
    return [(env_var, prefix) for flag, env_var, prefix in SECRET_FAMILIES if getattr(spec, flag)]


def table_statements(table: dynamodb.ITable, access: TableAccess) -> list[iam.PolicyStatement]:
    """Exactly the spec'd DynamoDB actions: on the table's ARN, and each index's reads on its own ARN
    (never `table/index/*`, and nothing `grant_read_write_data` would add beyond them)."""
    statements = []
    if access.actions:
        actions = sorted(f"dynamodb:{action}" for action in access.actions)
        statements.append(iam.PolicyStatement(actions=actions, resources=[table.table_arn]))
    for index, reads in access.indexes:
        actions = sorted(f"dynamodb:{action}" for action in reads)
        statements.append(
            iam.PolicyStatement(actions=actions, resources=[f"{table.table_arn}/index/{index}"])
        )
    return statements


def queue_depth_statement(queues: Iterable[WorkQueue]) -> iam.PolicyStatement:
    """sqs:GetQueueAttributes (depths, ages) on each work queue and its dead-letter queue, by ARN."""
    arns = [arn for work in queues for arn in (work.queue.queue_arn, work.dead_letters.queue_arn)]
    return iam.PolicyStatement(actions=["sqs:GetQueueAttributes"], resources=arns)


def shop_secrets_arn(scope: Construct, prefix: str = DEFAULT_SECRETS_PREFIX) -> str:
    return Stack.of(scope).format_arn(
        service="secretsmanager",
        resource="secret",
        resource_name=f"{prefix}*",
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


class CrossdockFunction(Construct):
    """A spec'd function: role, log group, function, grants, triggers, alarms."""

    def __init__(self, scope: Construct, spec: FunctionSpec, wiring: Wiring) -> None:
        super().__init__(scope, construct_id(spec.name))
        self.spec = spec
        self.function_name = function_name = f"{Stack.of(self).stack_name.lower()}-{spec.name}"
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of {function_name} (least privilege, from its FunctionSpec)",
        )
        self.log_group = logs.LogGroup(self, "Logs", retention=LOG_RETENTION)
        self.log_group.grant_write(self.role)
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=spec.handler,
            code=lambda_.Code.from_asset(str(code_dir(spec, wiring.functions_dir)), exclude=CODE_EXCLUDES),
            layers=[wiring.layer],
            memory_size=spec.memory_mb,
            timeout=Duration.seconds(spec.timeout_s),
            role=self.role,
            environment=function_environment(spec, wiring),
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=self.log_group,
            # Scheduled runs are asynchronous: events that still fail after Lambda's retries are kept.
            dead_letter_queue=wiring.undeliverable if spec.schedule else None,
        )
        self._grant(wiring)
        self._connect(wiring)
        self.url = (
            self.function.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE) if spec.url else None
        )
        topic = wiring.alerts.topic
        alarm_when_positive(
            self, "ErrorsAlarm", self.function.metric_errors(), f"{function_name} failed", topic
        )
        alarm_when_positive(
            self, "ThrottlesAlarm", self.function.metric_throttles(), f"{function_name} was throttled", topic
        )
        if spec.queue:
            alarm_on_failed_tasks(self, "TasksFailedAlarm", spec.name, function_name, topic)

    def _grant(self, wiring: Wiring) -> None:
        for table_id, access in self.spec.tables.items():
            for statement in table_statements(wiring.tables[table_id].table, access):
                self.role.add_to_policy(statement)
        for queue_id in self.spec.sends_to:
            wiring.queues[queue_id].queue.grant_send_messages(self.role)
        if self.spec.alerts:
            wiring.alerts.grant_publish(self.role)
        if self.spec.reports:
            wiring.reports.grant_publish(self.role)
        if self.spec.reads_queue_depths:
            self.role.add_to_policy(queue_depth_statement(wiring.queues.values()))
        for _, prefix in secret_prefixes(self.spec):
            self.role.add_to_policy(
                iam.PolicyStatement(
                    actions=["secretsmanager:GetSecretValue"], resources=[shop_secrets_arn(self, prefix)]
                )
            )

    def _connect(self, wiring: Wiring) -> None:
        if self.spec.schedule:
            events.Rule(
                self,
                "Schedule",
                schedule=events.Schedule.expression(self.spec.schedule),
                description=f"Runs {self.function_name} on {self.spec.schedule}",
                targets=[targets.LambdaFunction(self.function, dead_letter_queue=wiring.undeliverable)],
            )
        if self.spec.queue:
            batching = Duration.seconds(1) if self.spec.batch_size > SQS_UNBATCHED_MAX else None
            self.function.add_event_source(
                sources.SqsEventSource(
                    wiring.queues[self.spec.queue].queue,
                    batch_size=self.spec.batch_size,
                    max_batching_window=batching,
                    report_batch_item_failures=True,
                    max_concurrency=self.spec.max_concurrency,
                )
            )
