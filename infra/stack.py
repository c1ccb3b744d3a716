"""The Crossdock stack: every table, queue and function comes from a spec, in a loop.

Adding a TableSpec, QueueSpec, EventRouteSpec or FunctionSpec to a job's `resources.py` (listed in
`crossdock.deployment`) is the whole change: the resources, permissions, environment, triggers,
alarms and outputs follow from it here. The stack is environment-agnostic (no account/region
lookups), so synthesis is hermetic. A partner event route is built only when its event source's name
is given (`event_sources`, from deploy context).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.components.alarms import alarm_on_dead_letters, alarm_on_forged_pushes
from infra.components.alerts import build_alerts, build_reports
from infra.components.dashboard import operations_dashboard
from infra.components.environment import publish_environment, stack_environment
from infra.components.functions import ARCHITECTURE, RUNTIME, CrossdockFunction, Wiring
from infra.components.layer import dependencies_layer
from infra.components.naming import construct_id
from infra.components.queues import build_work_queue, dead_letter_queue
from infra.components.routes import build_routes
from infra.components.specs import Specs
from infra.components.tables import build_table

UNDELIVERED_QUEUE_ID = "UndeliveredEventsQueue"
FORGED_PUSHES_ALARM_ID = "ForgedPushesAlarm"


class CrossdockStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        layer_dir: Path,
        functions_dir: Path,
        alert_email: str | None = None,
        report_email: str | None = None,
        specs: Specs | None = None,
        deletion_protection: bool = True,
        event_sources: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description="Crossdock: order pull and push intake from marketplaces (Lambda, DynamoDB, SQS, SNS alerts)",
            **kwargs,
        )
        self.specs = (specs or Specs()).validate()
        self.deletion_protection = deletion_protection
        self.tables = {
            spec.logical_id: build_table(self, spec, protected=deletion_protection)
            for spec in self.specs.tables
        }
        self.queues = {
            spec.logical_id: build_work_queue(self, spec, self.specs.consumer_timeouts_s(spec))
            for spec in self.specs.queues
        }
        # Dead letters of asynchronous deliveries: scheduled invocations (EventBridge and Lambda
        # retries exhausted) and alert e-mails SNS could not deliver.
        self.undeliverable = dead_letter_queue(self, UNDELIVERED_QUEUE_ID)
        # Partner event routes (route logical id → its deployed bus and rule), given their sources.
        self.routes = build_routes(
            self, self.specs.routes, event_sources or {}, self.queues, self.undeliverable
        )
        self.alerts = build_alerts(self, alert_email=alert_email, undeliverable=self.undeliverable)
        self.reports = build_reports(
            self, self.alerts, report_email=report_email or alert_email, undeliverable=self.undeliverable
        )
        self.layer = dependencies_layer(
            self, "DependenciesLayer", layer_dir=layer_dir, runtime=RUNTIME, architecture=ARCHITECTURE
        )
        wiring = Wiring(
            tables=self.tables,
            queues=self.queues,
            alerts=self.alerts,
            reports=self.reports,
            undeliverable=self.undeliverable,
            layer=self.layer,
            functions_dir=functions_dir,
            routes=self.routes,
        )
        self.functions = {spec.name: CrossdockFunction(self, spec, wiring) for spec in self.specs.functions}
        self._alarm_on_dead_letters()
        alarm_on_forged_pushes(self, FORGED_PUSHES_ALARM_ID, self.alerts.topic)
        self.published_environment = stack_environment(
            self.tables.values(),
            self.queues.values(),
            alerts=self.alerts,
            reports=self.reports,
            routes=self.routes.values(),
            functions=self.functions.values(),
        )
        self.environment_parameter = publish_environment(self, self.published_environment)
        self.dashboard = operations_dashboard(self)
        self._outputs()

    def _alarm_on_dead_letters(self) -> None:
        topic = self.alerts.topic
        for work in self.queues.values():
            name = f"{work.spec.logical_id}Dlq"
            alarm_on_dead_letters(
                self, f"{name}Alarm", work.dead_letters, f"the dead-letter queue {name}", topic
            )
        alarm_on_dead_letters(
            self, f"{UNDELIVERED_QUEUE_ID}Alarm", self.undeliverable, "the undelivered-events queue", topic
        )

    def _outputs(self) -> None:
        for stored in self.tables.values():
            CfnOutput(self, f"{stored.spec.logical_id}Name", value=stored.table.table_name)
        for work in self.queues.values():
            CfnOutput(self, f"{work.spec.logical_id}Url", value=work.queue.queue_url)
            CfnOutput(self, f"{work.spec.logical_id}DlqUrl", value=work.dead_letters.queue_url)
            if work.spec.sender_account:  # what the sender is told to send to (SP-API createDestination)
                CfnOutput(
                    self,
                    f"{work.spec.logical_id}Arn",
                    value=work.queue.queue_arn,
                    description=f"The queue AWS account {work.spec.sender_account} sends to",
                )
        CfnOutput(self, f"{UNDELIVERED_QUEUE_ID}Url", value=self.undeliverable.queue_url)
        CfnOutput(self, "AlertsTopicArn", value=self.alerts.topic.topic_arn)
        CfnOutput(self, "ReportsTopicArn", value=self.reports.topic.topic_arn)
        CfnOutput(self, "DashboardName", value=self.dashboard.dashboard_name)
        for fn in self.functions.values():
            CfnOutput(self, f"{fn.node.id}FunctionName", value=fn.function.function_name)
            if fn.url:  # what the platform's dashboard is given (17TRACK webhook, eBay endpoint)
                CfnOutput(
                    self,
                    f"{construct_id(fn.spec.name)}Url",
                    value=fn.url.url,
                    description=f"Webhook URL of {fn.function_name} (auth NONE; the handler verifies signatures)",
                )
