"""The operator's cockpit in the stack: the published environment, the reports topic, reports and
queue-depth permissions, and the operations dashboard (cdk-monitoring-constructs)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from crossdock.carriers.registry import SOURCES
from crossdock.channels.registry import CHANNELS
from crossdock.core import figures
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
    ENVIRONMENT_OUTPUT_ID,
    METRICS_NAMESPACE,
    environment_parameter_name,
)
from crossdock.deployment import FUNCTIONS, QUEUES, TABLES
from crossdock.orders.resources import ORDERS_WORKER
from template_lookup import (
    ALERT_EMAIL,
    actions_on,
    as_list,
    function,
    of_type,
    resolved_json,
    role_statements,
)

from infra.components.dashboard import JOBS, MONITORING_ID, dashboard_name, sections
from infra.components.environment import function_url_variable
from infra.components.functions import Wiring, function_environment
from infra.runtime import ROOT

QUEUE_IDS = [q.logical_id for q in QUEUES] + [f"{q.logical_id}Dlq" for q in QUEUES]


@pytest.fixture(scope="module")
def environment(synth) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(logical id, Properties, resolved value) of the one SSM parameter."""
    ((logical_id, parameter),) = of_type(synth.resources, "AWS::SSM::Parameter").items()
    props = parameter["Properties"]
    return logical_id, props, resolved_json(props["Value"])


def test_the_stack_publishes_every_resource_variable_in_one_parameter(synth, environment):
    # Given the parameter and its value as CloudFormation will resolve it
    _, props, value = environment

    # Then it is named for the stack and names every table, queue, dead-letter queue, topic, prefix
    # and webhook URL (no partner event source: this synth deploys no route, test_infra_push)
    assert props["Name"] == environment_parameter_name(synth.stack.stack_name)
    assert props["Type"] == "String"
    expected = {t.env_var: {"Ref": t.logical_id} for t in TABLES}
    expected |= {q.env_var: {"Ref": q.logical_id} for q in QUEUES}
    expected |= {q.dlq_env_var: {"Ref": f"{q.logical_id}Dlq"} for q in QUEUES}
    expected |= {
        ENV_ALERTS_TOPIC_ARN: {"Ref": "AlertsTopic"},
        ENV_REPORTS_TOPIC_ARN: {"Ref": "ReportsTopic"},
        ENV_SECRETS_PREFIX: DEFAULT_SECRETS_PREFIX,
        ENV_CARRIER_SECRETS_PREFIX: DEFAULT_CARRIER_SECRETS_PREFIX,
        ENV_SUPPLIER_SECRETS_PREFIX: DEFAULT_SUPPLIER_SECRETS_PREFIX,
        ENV_APP_SECRETS_PREFIX: DEFAULT_APP_SECRETS_PREFIX,
    }
    for spec in FUNCTIONS:
        if spec.url:
            fn = synth.stack.functions[spec.name]
            url_id = fn.url.node.default_child.logical_id
            expected[function_url_variable(spec.name)] = {
                "Fn::GetAtt": [synth.stack.resolve(url_id), "FunctionUrl"]
            }
    assert value == expected


def test_the_environment_output_has_its_stable_id_and_names_the_parameter(synth, environment):
    # Given the template's outputs
    outputs = json.loads(synth.template_path.read_text())["Outputs"]
    logical_id, _, _ = environment

    # Then the CLI finds the parameter under ENVIRONMENT_OUTPUT_ID; the other outputs are still there
    assert outputs[ENVIRONMENT_OUTPUT_ID]["Value"] == {"Ref": logical_id}
    assert logical_id == "EnvironmentParameter"
    assert {"AlertsTopicArn", "ReportsTopicArn", "DashboardName", "OrderTasksQueueUrl"} <= set(outputs)


def test_the_reports_topic_is_encrypted_tls_only_and_mailed_like_the_alerts(synth):
    # Given both topics, their policies and subscriptions
    resources = synth.resources
    topics = of_type(resources, "AWS::SNS::Topic")
    subscriptions = of_type(resources, "AWS::SNS::Subscription").values()
    policies = of_type(resources, "AWS::SNS::TopicPolicy").values()

    # Then the reports topic uses the alerts' key, refuses plain HTTP, and mails the same address
    # with undeliverable messages kept in the undelivered-events queue
    assert set(topics) == {"AlertsTopic", "ReportsTopic"}
    assert topics["ReportsTopic"]["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": ["AlertsKey", "Arn"]}
    (mail,) = [
        s["Properties"] for s in subscriptions if s["Properties"]["TopicArn"] == {"Ref": "ReportsTopic"}
    ]
    assert (mail["Protocol"], mail["Endpoint"]) == ("email", ALERT_EMAIL)
    assert mail["RedrivePolicy"] == {"deadLetterTargetArn": {"Fn::GetAtt": ["UndeliveredEventsQueue", "Arn"]}}
    (policy,) = [p for p in policies if {"Ref": "ReportsTopic"} in p["Properties"]["Topics"]]
    (deny,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_only_reporting_functions_get_the_reports_topic(synth, spec):
    # Given the function's environment and role
    _, props = function(synth.resources, spec)
    env = props["Environment"]["Variables"]
    statements = role_statements(synth.resources, spec)

    # Then it knows and may publish to the reports topic exactly when its spec reports
    assert (env.get(ENV_REPORTS_TOPIC_ARN) == {"Ref": "ReportsTopic"}) is spec.reports
    assert ("sns:Publish" in actions_on(statements, {"Ref": "ReportsTopic"})) is spec.reports


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_only_depth_readers_read_queue_attributes_and_only_of_the_queues(synth, spec):
    # Given the function's environment and its role's GetQueueAttributes statements
    _, props = function(synth.resources, spec)
    env = props["Environment"]["Variables"]
    statements = role_statements(synth.resources, spec)
    depths = [s for s in statements if as_list(s["Action"]) == ["sqs:GetQueueAttributes"]]
    reads = {
        str(resource)
        for s in statements
        if "sqs:GetQueueAttributes" in as_list(s["Action"])
        for resource in as_list(s["Resource"])
    }

    # Then a depth reader knows every queue and dead-letter queue and may read their attributes
    # (nothing else on them); any other function reads attributes only of the queues it sends to
    # or consumes (sending and consuming include them)
    if spec.reads_queue_depths:
        assert {q.dlq_env_var for q in QUEUES} | {q.env_var for q in QUEUES} <= set(env)
        (statement,) = depths
        assert sorted(as_list(statement["Resource"]), key=str) == sorted(
            ({"Fn::GetAtt": [q, "Arn"]} for q in QUEUE_IDS), key=str
        )
    else:
        assert depths == []
        own = [*spec.sends_to, *([spec.queue] if spec.queue else [])]  # its trigger's, as a consumer
        assert reads <= {str({"Fn::GetAtt": [q, "Arn"]}) for q in own}
        assert not {q.dlq_env_var for q in QUEUES} & set(env)


def test_any_spec_can_report_and_read_queue_depths(synth):
    # Given a function that did neither, switched to both
    stack = synth.stack
    wiring = Wiring(
        stack.tables, stack.queues, stack.alerts, stack.reports, stack.undeliverable, stack.layer, ROOT
    )
    spec = replace(ORDERS_WORKER, reports=True, reads_queue_depths=True)

    # When its environment is built
    env = function_environment(spec, wiring)

    # Then it gets the reports topic and every queue's and dead-letter queue's URL
    assert env[ENV_REPORTS_TOPIC_ARN] == stack.reports.topic.topic_arn
    for work in stack.queues.values():
        assert env[work.spec.env_var] == work.queue.queue_url
        assert env[work.spec.dlq_env_var] == work.dead_letters.queue_url


@pytest.fixture(scope="module")
def dashboard(synth) -> tuple[dict[str, Any], str, list[Any]]:
    """(Properties, the body's literal text, the body's references) of the one dashboard."""
    ((_, resource),) = of_type(synth.resources, "AWS::CloudWatch::Dashboard").items()
    parts = resource["Properties"]["DashboardBody"]["Fn::Join"][1]
    text = "".join(p for p in parts if isinstance(p, str))
    return resource["Properties"], text, [p for p in parts if not isinstance(p, str)]


def test_one_dashboard_per_deployment_with_a_stable_name(synth, dashboard):
    props, _, _ = dashboard
    assert props["DashboardName"] == dashboard_name(synth.stack.stack_name)


def test_the_dashboard_shows_every_function_and_queue_with_its_dead_letters(synth, dashboard):
    # Given the dashboard body's references to the stack's resources
    _, text, refs = dashboard
    functions = {fn.function.node.default_child.logical_id for fn in synth.stack.functions.values()}
    resolved = {synth.stack.resolve(logical_id) for logical_id in functions}

    # Then every function's errors, duration and throttles, every queue's age and DLQ depth appear
    for logical_id in resolved:
        assert {"Ref": logical_id} in refs
    for queue in [*QUEUE_IDS, "UndeliveredEventsQueue"]:
        assert {"Fn::GetAtt": [queue, "QueueName"]} in refs, queue
    for metric in ("Errors", "Duration", "Throttles", "ApproximateAgeOfOldestMessage"):
        assert f'"{metric}"' in text, metric
    assert '"ApproximateNumberOfMessagesVisible"' in text
    for job in JOBS:
        assert f'"markdown":"# {job.capitalize()}"' in text


def test_the_dashboard_reads_the_business_figures_as_the_functions_emit_them(dashboard):
    # Given the dashboard body's text
    _, text, _ = dashboard

    # Then each figure is read in the service's namespace, per channel or per source where it has one
    service = '"service","crossdock"'
    per_channel = (
        figures.ORDERS_PULLED,
        figures.CHECKPOINT_LAG,
        figures.CHANNEL_API_CALLS,
        figures.STOCK_PUSHES,
        figures.STOCK_REFUSALS,
    )
    for name in per_channel:
        for channel in CHANNELS:
            assert f'["{METRICS_NAMESPACE}","{name}","channel","{channel}",{service}' in text, (name, channel)
    for name in (figures.TRACKING_ANSWERS, figures.TRACKING_SILENT):
        for source in SOURCES:
            assert f'["{METRICS_NAMESPACE}","{name}",{service},"source","{source}"' in text, (name, source)
    for index, _ in enumerate(SOURCES):
        assert f'"expression":"100 * silent{index} / answers{index}"' in text
    assert f'["{METRICS_NAMESPACE}","{figures.PRODUCTS_BLOCKED}",{service}' in text
    assert (
        f'"{figures.CHECKPOINT_LAG}","channel","taobao",{service},{{"label":"taobao","stat":"Maximum"}}'
        in text
    )


def test_the_dashboard_adds_no_alarm(synth):
    # Given the alarms in the template
    alarms = of_type(synth.resources, "AWS::CloudWatch::Alarm")

    # Then they are the stack's own: errors and throttles per function, failed tasks per worker,
    # one per dead-letter queue and the undelivered-events queue, forged pushes — none from the dashboard
    workers = [spec for spec in FUNCTIONS if spec.queue]
    assert len(alarms) == 2 * len(FUNCTIONS) + len(workers) + len(QUEUES) + 1 + 1
    assert not [logical_id for logical_id in alarms if logical_id.startswith(MONITORING_ID)]


def test_every_function_and_queue_has_its_job_section():
    # Given the specs' sections
    built = sections(FUNCTIONS, QUEUES)

    # Then every job has one, and nothing is left to "Other"
    assert [s.title for s in built] == [job.capitalize() for job in JOBS]
    assert sorted(n for s in built for n in s.functions) == sorted(f.name for f in FUNCTIONS)
    assert sorted(q for s in built for q in s.queues) == sorted(q.logical_id for q in QUEUES)
    by_title = {s.title: s for s in built}
    assert "orders-worker" in by_title["Orders"].functions
    assert "SupplierTasksQueue" in by_title["Suppliers"].queues
