"""Push intake in the stack (issue 12): the SP-API notifications queue and its KMS key, the Shopify
partner event route with and without its deploy context, the webhook receivers' function URLs, the
notices table, the grants of the push receivers, the forged-push alarm and the dashboard's row."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Annotations, Match, Template
from cfnlint.api import ManualArgs, lint_file
from conftest import SHOPIFY_EVENT_SOURCE
from crossdock.core import figures
from crossdock.core.names import DEFAULT_APP_SECRETS_PREFIX, ENV_APP_SECRETS_PREFIX, METRICS_NAMESPACE
from crossdock.core.specs import NOTICES_TABLE, TAKES_ONCE, EventRouteSpec, TableSpec
from crossdock.deployment import FUNCTIONS, QUEUES, ROUTES, TABLES
from crossdock.orders.resources import (
    AMAZON_NOTICES_QUEUE,
    ORDERS_NOTICES_AMAZON,
    ORDERS_NOTICES_SHOPIFY,
    SHOPIFY_NOTICES_QUEUE,
    SHOPIFY_NOTICES_ROUTE,
    SP_API_NOTIFICATIONS_ACCOUNT,
)
from template_lookup import (
    actions_on,
    all_actions,
    as_list,
    dynamodb_grants,
    function,
    index_arn,
    of_type,
    resolved_json,
    role_statements,
    table_arn,
)

from infra.assembly import create_app
from infra.components.environment import function_url_variable
from infra.components.errors import InfraConfigError
from infra.components.naming import construct_id
from infra.components.routes import NOT_DEPLOYED_WARNING, event_sources
from infra.components.specs import Specs
from infra.components.tables import build_table
from infra.nag import WEBHOOK, acknowledgements
from infra.nag_rules import PACK_NAME, URL_AUTH_RULE, CrossdockChecks
from infra.runtime import DEFAULT_STACK_NAME

SENDER = f"arn:aws:iam::{SP_API_NOTIFICATIONS_ACCOUNT}:root"
SENDER_QUEUES = [q for q in QUEUES if q.sender_account]
URL_FUNCTIONS = [f for f in FUNCTIONS if f.url]
ONCE_TAKERS = [f for f in FUNCTIONS if f.tables.get(NOTICES_TABLE.logical_id) == TAKES_ONCE]
NOTICE_TAKERS = [ORDERS_NOTICES_AMAZON, ORDERS_NOTICES_SHOPIFY]


def queue_policy_statements(resources: dict[str, Any], queue_id: str) -> list[dict[str, Any]]:
    (policy,) = [
        p["Properties"]
        for p in of_type(resources, "AWS::SQS::QueuePolicy").values()
        if p["Properties"]["Queues"] == [{"Ref": queue_id}]
    ]
    return list(policy["PolicyDocument"]["Statement"])


def key_arn(queue_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [f"{queue_id}Key", "Arn"]}


# --- Amazon SP-API notifications: the queue Amazon's account sends to ---------------------------------
def test_the_amazon_notices_queue_is_the_one_amazon_sends_to():
    assert SENDER_QUEUES == [AMAZON_NOTICES_QUEUE]
    assert AMAZON_NOTICES_QUEUE.sender_account == "437568002678"  # SP-API Notifications use case guide


@pytest.mark.parametrize("spec", SENDER_QUEUES, ids=lambda s: s.logical_id)
def test_a_sender_queue_has_its_own_rotating_key_the_sender_may_encrypt_with(synth, spec):
    # Given the queue's key
    key = synth.resources[f"{spec.logical_id}Key"]
    statements = key["Properties"]["KeyPolicy"]["Statement"]

    # Then it rotates, and the sending account may exactly GenerateDataKey and Decrypt with it
    # (Amazon's guide and the SP-API samples' CDK), nothing more; the queue is encrypted with it
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    (sender,) = [s for s in statements if s["Principal"] == {"AWS": SENDER}]
    assert sender["Effect"] == "Allow"
    assert set(as_list(sender["Action"])) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert "Condition" not in sender
    others = [s for s in statements if s is not sender]
    assert all(SP_API_NOTIFICATIONS_ACCOUNT not in json.dumps(s) for s in others)
    assert synth.resources[spec.logical_id]["Properties"]["KmsMasterKeyId"] == key_arn(spec.logical_id)


@pytest.mark.parametrize("spec", SENDER_QUEUES, ids=lambda s: s.logical_id)
def test_a_sender_queue_lets_the_sender_send_and_still_refuses_plain_http(synth, spec):
    # Given the queue's policy
    statements = queue_policy_statements(synth.resources, spec.logical_id)

    # Then the sending account may SendMessage and GetQueueAttributes on this queue, as documented
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"AWS": SENDER}
    assert set(as_list(allow["Action"])) == {"sqs:SendMessage", "sqs:GetQueueAttributes"}
    assert allow["Resource"] == {"Fn::GetAtt": [spec.logical_id, "Arn"]}
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize("spec", SENDER_QUEUES, ids=lambda s: s.logical_id)
def test_a_sender_queues_dead_letters_stay_sqs_managed_and_private(synth, spec):
    # Given its dead-letter queue and that queue's policy
    dead_letters = synth.resources[f"{spec.logical_id}Dlq"]["Properties"]
    statements = queue_policy_statements(synth.resources, f"{spec.logical_id}Dlq")

    # Then only SQS's redrive writes there: SSE-SQS, no statement for the sender
    assert dead_letters["SqsManagedSseEnabled"] is True
    assert "KmsMasterKeyId" not in dead_letters
    assert [s["Effect"] for s in statements] == ["Deny"]


@pytest.mark.parametrize("spec", SENDER_QUEUES, ids=lambda s: s.logical_id)
def test_the_stack_outputs_the_arn_a_sender_is_given(synth, spec):
    outputs = synth.template.to_json()["Outputs"]
    assert outputs[f"{spec.logical_id}Arn"]["Value"] == {"Fn::GetAtt": [spec.logical_id, "Arn"]}
    assert {f"{q.logical_id}Arn" for q in QUEUES if not q.sender_account}.isdisjoint(outputs)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_only_a_sender_queues_consumers_may_use_its_key_and_only_to_decrypt(synth, spec):
    # Given what the function's role may do with each sender queue's key
    statements = role_statements(synth.resources, spec)
    for queue in SENDER_QUEUES:
        granted = actions_on(statements, key_arn(queue.logical_id))

        # Then its consumers decrypt what they receive; nobody else touches the key
        assert granted == ({"kms:Decrypt"} if spec.queue == queue.logical_id else set()), spec.name


# --- Shopify: the partner event route, without and with its deploy context -----------------------------
def test_without_the_event_source_nothing_of_the_route_is_deployed_and_the_synth_says_so(synth):
    # Given the shared synth (no shopifyEventSource context)
    resources = synth.resources
    statements = queue_policy_statements(resources, SHOPIFY_NOTICES_QUEUE.logical_id)

    # Then no bus, no partner rule, no EventBridge grant on the queue, no variable anywhere...
    assert of_type(resources, "AWS::Events::EventBus") == {}
    assert [
        r for r in of_type(resources, "AWS::Events::Rule").values() if "EventPattern" in r["Properties"]
    ] == []
    assert [s["Effect"] for s in statements] == ["Deny"]
    for spec in FUNCTIONS:
        assert SHOPIFY_NOTICES_ROUTE.env_var not in function(resources, spec)[1]["Environment"]["Variables"]
    assert synth.stack.routes == {}
    assert SHOPIFY_NOTICES_ROUTE.env_var not in synth.stack.published_environment

    # ...but the queue and its consumer exist, and the synth warns how to turn the route on
    assert SHOPIFY_NOTICES_QUEUE.logical_id in resources
    function(resources, ORDERS_NOTICES_SHOPIFY)
    Annotations.from_stack(synth.stack).has_warning(
        f"/{synth.stack.stack_name}",
        Match.string_like_regexp(
            f"ShopifyNoticesRoute not deployed: no context shopifyEventSource.*{NOT_DEPLOYED_WARNING}"
        ),
    )


@pytest.fixture(scope="module")
def routed(cli_runs) -> dict[str, Any]:
    """The template `cdk deploy -c shopifyEventSource=...` synthesized (nag enforced: see cli_runs)."""
    returncode, stderr = cli_runs.overrides.wait()
    assert returncode == 0, stderr[-3000:]
    assert f"ShopifyNoticesRoute: from {SHOPIFY_EVENT_SOURCE}" in stderr
    template_path = cli_runs.overrides.outdir / f"{DEFAULT_STACK_NAME}.template.json"
    return {"path": template_path, **json.loads(template_path.read_text())}


def test_the_event_source_context_deploys_the_partner_bus_and_a_rule_to_the_queue(routed):
    # Given the template synthesized with -c shopifyEventSource=aws.partner/shopify.com/1234567/crossdock
    resources = routed["Resources"]

    # Then the partner bus is named for the source, and one rule on it takes the route's detail
    # types from that source to the Shopify notices queue, undeliverable events kept
    ((bus_id, bus),) = of_type(resources, "AWS::Events::EventBus").items()
    assert bus["Properties"]["EventSourceName"] == SHOPIFY_EVENT_SOURCE
    assert bus["Properties"]["Name"] == SHOPIFY_EVENT_SOURCE
    ((rule_id, rule),) = [
        (k, r)
        for k, r in of_type(resources, "AWS::Events::Rule").items()
        if "EventPattern" in r["Properties"]
    ]
    props = rule["Properties"]
    assert props["EventBusName"] == {"Ref": bus_id}
    assert props["EventPattern"] == {
        "source": [SHOPIFY_EVENT_SOURCE],
        "detail-type": list(SHOPIFY_NOTICES_ROUTE.detail_types),
    }
    (target,) = props["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [SHOPIFY_NOTICES_ROUTE.queue, "Arn"]}
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["UndeliveredEventsQueue", "Arn"]}}
    assert not {"Input", "InputPath", "InputTransformer"} & set(target)  # the whole event is the body

    # And EventBridge may send to the queue only on behalf of that rule
    statements = queue_policy_statements(resources, SHOPIFY_NOTICES_ROUTE.queue)
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert "sqs:SendMessage" in as_list(allow["Action"])
    assert allow["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_id, "Arn"]}}}


def test_the_event_source_reaches_the_route_queues_consumers_and_the_environment(routed):
    # Given each function's environment and the published environment
    resources = routed["Resources"]
    (parameter,) = of_type(resources, "AWS::SSM::Parameter").values()
    published = resolved_json(parameter["Properties"]["Value"])

    # Then the consumers of the route's queue know the source (and only they), as does the CLI
    for spec in FUNCTIONS:
        env = function(resources, spec)[1]["Environment"]["Variables"]
        consumes = spec.queue == SHOPIFY_NOTICES_ROUTE.queue
        assert (env.get(SHOPIFY_NOTICES_ROUTE.env_var) == SHOPIFY_EVENT_SOURCE) is consumes, spec.name
        assert consumes or SHOPIFY_NOTICES_ROUTE.env_var not in env
    assert ORDERS_NOTICES_SHOPIFY.queue == SHOPIFY_NOTICES_ROUTE.queue
    assert published[SHOPIFY_NOTICES_ROUTE.env_var] == SHOPIFY_EVENT_SOURCE


def test_the_routed_template_passes_cfn_lint(routed):
    # Given the template with the partner bus and rule (the shared synth has neither)
    matches = lint_file(routed["path"], ManualArgs(regions=["us-east-1", "eu-west-1", "ap-northeast-1"]))

    # Then nothing is an error, and the only warnings are the accepted CDK pattern (test_infra_checks)
    assert [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")] == []
    assert {m.rule.id for m in matches} <= {"W3005"}


@pytest.mark.parametrize(
    "value",
    [
        "shopify",
        "aws.partner/shopify.com/1234567",
        "aws.partner/shopify.com/1234567/crossdock/extra",
        "aws.partner/example.com/1234567/crossdock",
        "arn:aws:events:us-east-1::event-source/aws.partner/shopify.com/1234567/crossdock",
        "aws.partner/shopify.com/1234567/cross dock",
        "aws.partner/shopify.com/1234567/" + "x" * 240,
    ],
)
def test_a_malformed_event_source_stops_the_synth_naming_the_expected_form(value):
    with pytest.raises(InfraConfigError) as raised:
        event_sources(ROUTES, {SHOPIFY_NOTICES_ROUTE.context_key: value})
    assert f"context shopifyEventSource={value!r}" in str(raised.value)
    assert "aws.partner/shopify.com/<app id>/<name>" in str(raised.value)


def test_a_well_formed_event_source_is_taken_and_an_empty_one_means_no_route():
    assert event_sources(ROUTES, {"shopifyEventSource": f" {SHOPIFY_EVENT_SOURCE} "}) == {
        SHOPIFY_NOTICES_ROUTE.logical_id: SHOPIFY_EVENT_SOURCE
    }
    assert event_sources(ROUTES, {"shopifyEventSource": ""}) == {}
    assert event_sources(ROUTES, {}) == {}


def test_the_app_refuses_a_malformed_event_source_before_building_anything(layer_dir, tmp_path):
    with pytest.raises(InfraConfigError, match="is not a partner event source name"):
        create_app(
            {"layerDir": str(layer_dir), "shopifyEventSource": "shopify.com/1/x"}, outdir=str(tmp_path)
        )


def test_a_route_to_an_unknown_queue_is_rejected():
    bad = EventRouteSpec(
        "LostRoute", queue="NoSuchQueue", context_key="x", env_var="X_SOURCE", detail_types=()
    )
    with pytest.raises(InfraConfigError) as raised:
        Specs(routes=(bad,)).validate()
    assert "LostRoute: unknown target queue 'NoSuchQueue'" in str(raised.value)
    assert "LostRoute: no detail types to match" in str(raised.value)


# --- webhook receivers: function URLs ------------------------------------------------------------------
def test_there_are_webhook_receivers():
    assert URL_FUNCTIONS
    assert all(not f.queue and not f.schedule for f in URL_FUNCTIONS)


@pytest.mark.parametrize("spec", URL_FUNCTIONS, ids=lambda s: s.name)
def test_a_webhook_receiver_has_a_public_url_its_output_and_its_variable(synth, spec):
    # Given the function's URL resource
    fn_id, _ = function(synth.resources, spec)
    (url_id,) = [
        k
        for k, r in of_type(synth.resources, "AWS::Lambda::Url").items()
        if r["Properties"]["TargetFunctionArn"] == {"Fn::GetAtt": [fn_id, "Arn"]}
    ]

    # Then anyone may call it (the platforms cannot sign SigV4), through the URL only
    assert synth.resources[url_id]["Properties"]["AuthType"] == "NONE"
    permissions = [
        p["Properties"]
        for p in of_type(synth.resources, "AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [fn_id, "Arn"]}
    ]
    assert {p["Action"] for p in permissions} == {"lambda:InvokeFunctionUrl", "lambda:InvokeFunction"}
    assert all(p["Principal"] == "*" for p in permissions)
    assert all(p.get("FunctionUrlAuthType") == "NONE" or p.get("InvokedViaFunctionUrl") for p in permissions)

    # And the operator finds it as an output and in the published environment
    url = {"Fn::GetAtt": [url_id, "FunctionUrl"]}
    assert synth.template.to_json()["Outputs"][f"{construct_id(spec.name)}Url"]["Value"] == url
    assert synth.stack.resolve(synth.stack.published_environment[function_url_variable(spec.name)]) == url


def test_functions_without_url_have_none(synth):
    targets = [
        r["Properties"]["TargetFunctionArn"] for r in of_type(synth.resources, "AWS::Lambda::Url").values()
    ]
    assert sorted(map(str, targets)) == sorted(
        str({"Fn::GetAtt": [function(synth.resources, f)[0], "Arn"]}) for f in URL_FUNCTIONS
    )
    assert function_url_variable("tracking-push") == "CROSSDOCK_TRACKING_PUSH_URL"


@pytest.mark.parametrize("spec", URL_FUNCTIONS, ids=lambda s: s.name)
def test_the_public_url_is_acknowledged_on_that_url_only_with_its_reason(synth, spec):
    # Given the acknowledgements of the Crossdock pack's function-URL rule
    rule = f"{PACK_NAME}-{URL_AUTH_RULE}"
    acks = [a for a in acknowledgements(synth.stack) if a.rule == rule]
    fn = synth.stack.functions[spec.name]

    # Then this receiver's URL (not its function, role or stack) carries one, with the reason
    assert [a.reason for a in acks if a.scope is fn.url] == [WEBHOOK]
    assert len(acks) == len(URL_FUNCTIONS)
    assert "SigV4" in WEBHOOK and "verifies" in WEBHOOK


def test_the_crossdock_pack_flags_a_public_url_nobody_acknowledged():
    # Given a stack with a public function URL nobody acknowledged, and an IAM-authenticated one
    stack = Stack(App(), "UrlProbe")
    fn = lambda_.Function(
        stack,
        "Fn",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="a.b",
        code=lambda_.Code.from_inline("x = 1"),
    )
    fn.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
    signed = lambda_.Function(
        stack,
        "Signed",
        runtime=lambda_.Runtime.PYTHON_3_12,
        handler="a.b",
        code=lambda_.Code.from_inline("x = 1"),
    )
    signed.add_function_url(auth_type=lambda_.FunctionUrlAuthType.AWS_IAM)

    # When the Crossdock pack validates it
    report = CrossdockChecks().validate_scope(stack)

    # Then exactly the public URL is a finding
    found = [(v.rule_name, [r.construct_path for r in v.violating_resources]) for v in report.violations]
    assert found == [(f"{PACK_NAME}-{URL_AUTH_RULE}", ["UrlProbe/Fn/FunctionUrl/Resource"])]


# --- tables and grants ------------------------------------------------------------------------------
def test_the_notices_table_forgets_claims_by_its_expiration_attribute(synth):
    props = synth.resources[NOTICES_TABLE.logical_id]["Properties"]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_every_table_keeps_its_logical_id(synth):
    # Stateful resources are found by their spec's logical id, never by a generated one (no replacement)
    tables = of_type(synth.resources, "AWS::DynamoDB::Table")
    assert sorted(tables) == sorted(t.logical_id for t in TABLES)


@pytest.mark.parametrize("spec", [t for t in TABLES if t.indexes], ids=lambda s: s.logical_id)
def test_adding_an_index_changes_only_what_cloudformation_updates_in_place(spec: TableSpec):
    # Given the table built without its last index and with it
    def built(indexes: tuple[tuple[str, str, str | None], ...]) -> dict[str, Any]:
        stack = Stack(App(), "IndexProbe")
        build_table(stack, replace(spec, indexes=indexes))
        return dict(Template.from_stack(stack).to_json()["Resources"])

    before, after = built(spec.indexes[:-1]), built(spec.indexes)

    # Then the same logical id, and only indexes and attribute definitions differ: CloudFormation
    # adds a global secondary index without replacing the table (one index per table per deploy)
    assert list(before) == list(after) == [spec.logical_id]
    old, new = before[spec.logical_id]["Properties"], after[spec.logical_id]["Properties"]
    changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    assert changed <= {"GlobalSecondaryIndexes", "AttributeDefinitions"}
    assert old["KeySchema"] == new["KeySchema"]


@pytest.mark.parametrize("spec", NOTICE_TAKERS, ids=lambda s: s.name)
def test_the_notice_takers_query_the_push_index_and_nothing_more(synth, spec):
    # Given every DynamoDB grant of the function
    grants = dynamodb_grants(role_statements(synth.resources, spec))
    indexes = [(r, a) for r, a in grants if "/index/" in json.dumps(r)]

    # Then the only index it reads is the shops' "push" index, by Query
    assert indexes == [(index_arn("ShopsTable", "push"), "dynamodb:Query")]
    assert {a for r, a in grants if r == table_arn(NOTICES_TABLE.logical_id)} == {
        f"dynamodb:{a}" for a in TAKES_ONCE.actions
    }
    assert not [
        a
        for a in all_actions(role_statements(synth.resources, spec))
        if a.startswith("kms:") and a != "kms:Decrypt"
    ]


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_only_app_secret_readers_read_app_secrets_and_only_under_their_prefix(synth, spec):
    # Given the function's secret statements and environment
    statements = role_statements(synth.resources, spec)
    env = function(synth.resources, spec)[1]["Environment"]["Variables"]
    app = [
        s
        for s in statements
        if "secretsmanager:GetSecretValue" in as_list(s["Action"])
        and s["Resource"]["Fn::Join"][1][-1] == f":secret:{DEFAULT_APP_SECRETS_PREFIX}*"
    ]

    # Then exactly the functions whose spec says so may read them, and know the prefix
    assert bool(app) is spec.reads_app_secrets
    assert (env.get(ENV_APP_SECRETS_PREFIX) == DEFAULT_APP_SECRETS_PREFIX) is spec.reads_app_secrets


# --- alarm and dashboard ----------------------------------------------------------------------------
def test_one_forged_push_in_five_minutes_alerts_whatever_system_received_it(synth):
    # Given the alarm on forged pushes
    (alarm,) = [
        a["Properties"]
        for a in of_type(synth.resources, "AWS::CloudWatch::Alarm").values()
        if "Metrics" in a["Properties"] and "forged" in json.dumps(a["Properties"]["Metrics"])
    ]

    # Then it sums PushesRefused{reason=forged} over every system (Metrics Insights, as emitted)
    (query,) = alarm["Metrics"]
    assert query["Expression"] == (
        f"SELECT SUM({figures.PUSHES_REFUSED}) FROM SCHEMA({METRICS_NAMESPACE}, reason, service, system) "
        "WHERE service = 'crossdock' AND reason = 'forged'"
    )
    assert query["Period"] == 300 and query["ReturnData"] is True
    assert alarm["Threshold"] == 0
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"] == [{"Ref": "AlertsTopic"}]


@pytest.mark.parametrize("queue_id", [q.logical_id for q in QUEUES if "Notices" in q.logical_id])
def test_the_notices_dead_letters_are_alarmed_like_every_other(synth, queue_id):
    dimensions = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [f"{queue_id}Dlq", "QueueName"]}}]
    alarms = [
        a["Properties"]
        for a in of_type(synth.resources, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Dimensions") == dimensions
    ]
    assert [a["AlarmActions"] for a in alarms] == [[{"Ref": "AlertsTopic"}]]


def test_the_dashboard_has_a_push_intake_row_reading_the_figures_as_emitted(synth):
    # Given the dashboard body's text
    ((_, resource),) = of_type(synth.resources, "AWS::CloudWatch::Dashboard").items()
    text = "".join(p for p in resource["Properties"]["DashboardBody"]["Fn::Join"][1] if isinstance(p, str))

    # Then a "Push intake" section searches each figure over its exact dimensions
    assert '"markdown":"# Push intake"' in text
    taken = f'{{{METRICS_NAMESPACE},service,system}} MetricName=\\"{figures.PUSHES_TAKEN}\\"'
    refused = f'{{{METRICS_NAMESPACE},reason,service,system}} MetricName=\\"{figures.PUSHES_REFUSED}\\"'
    delay = f'{{{METRICS_NAMESPACE},service,system}} MetricName=\\"{figures.NOTICE_DELAY}\\"'
    assert f"SEARCH('{taken} service=\\\"crossdock\\\"', 'Sum', 300)" in text
    assert f"SEARCH('{refused} service=\\\"crossdock\\\"', 'Sum', 300)" in text
    for stat in ("p50", "p99"):
        assert f"SEARCH('{delay} service=\\\"crossdock\\\"', '{stat}', 300)" in text
    assert "${PROP('Dim.system')} ${PROP('Dim.reason')}" in text


def test_the_once_takers_are_the_push_receivers():
    assert {f.name for f in ONCE_TAKERS} >= {f.name for f in NOTICE_TAKERS} | {f.name for f in URL_FUNCTIONS}
