"""The entry point and its failure modes: hermetic synth, missing layer, bad specs, no alert e-mail."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from crossdock.core.names import ENV_SHOPS_TABLE
from crossdock.core.specs import INDEX_ACTIONS, PUT_ITEM, QUERY, READ_ACTIONS, SCAN, WRITE_ACTIONS, access
from crossdock.deployment import FUNCTIONS, TABLES
from crossdock.orders.resources import ORDER_TASKS_QUEUE, ORDERS_PLANNER, ORDERS_WORKER
from crossdock.stock.resources import STOCK_FLUSHER, STOCK_LEDGER, STOCK_MARKER

from infra.assembly import create_app
from infra.components.errors import InfraConfigError
from infra.components.functions import Wiring, function_environment
from infra.components.queues import visibility_timeout_s
from infra.components.specs import Specs, schedule_problem
from infra.runtime import DEFAULT_STACK_NAME

ROOT = Path(__file__).resolve().parents[2]


def test_app_entry_point_synthesizes_hermetically_with_nag_enforced(entry_point_run):
    # Given no AWS credentials or region, and no alert e-mail (see the entry_point_run fixture)
    outdir = entry_point_run.outdir

    # When the Makefile's command finishes (cdk-nag plugins registered: any finding fails synth)
    returncode, stderr = entry_point_run.wait()

    # Then it succeeds without lookups, for an environment-agnostic stack, with a subscription hint
    assert returncode == 0, stderr[-3000:]
    manifest = json.loads((outdir / "manifest.json").read_text())
    assert "missing" not in manifest
    stack = manifest["artifacts"][DEFAULT_STACK_NAME]
    assert stack["environment"] == "aws://unknown-account/unknown-region"
    template = json.loads((outdir / stack["properties"]["templateFile"]).read_text())
    assert "AlertEmailSubscription" in template["Outputs"]
    assert not [r for r in template["Resources"].values() if r["Type"] == "AWS::SNS::Subscription"]


def test_synth_stops_with_instructions_when_the_layer_is_not_built(synth, tmp_path):
    # Given a layer directory without python/crossdock
    empty = tmp_path / "layer"
    empty.mkdir()

    # When the app is built against it
    with pytest.raises(InfraConfigError) as raised:
        create_app({"layerDir": str(empty)}, outdir=str(tmp_path / "out"))

    # Then the message names the missing path and how to build it
    assert str(empty / "python" / "crossdock" / "__init__.py") in str(raised.value)
    assert "make layer" in str(raised.value)


def test_a_function_pointing_at_an_unknown_table_is_rejected():
    # Given a function spec that names a table no TableSpec declares
    bad = replace(ORDERS_PLANNER, tables={"NoSuchTable": access(SCAN)})

    # When the specs are validated
    with pytest.raises(InfraConfigError) as raised:
        Specs(functions=(bad,)).validate()

    # Then the message names the function and the table
    assert "orders-planner: unknown table 'NoSuchTable'" in str(raised.value)


def test_declared_table_access_must_name_real_actions_and_indexes():
    # Given a flusher spec with a typo'd action, an index the table lacks, a write on an index,
    # a table it does nothing with, and a bare tuple instead of an access
    bad = replace(
        STOCK_FLUSHER,
        tables={
            "StockTable": access("GetItems"),
            "ListingsTable": access(indexes={"dirtty": (QUERY,), "dirty": (PUT_ITEM,)}),
            "ShopsTable": access(),
            "AlertsTable": ("PutItem",),  # type: ignore[dict-item]
        },
    )

    # When the specs are validated
    with pytest.raises(InfraConfigError) as raised:
        Specs(functions=(bad,)).validate()

    # Then each mistake is named
    message = str(raised.value)
    assert "stock-flusher: StockTable: unknown DynamoDB action 'GetItems'" in message
    assert "stock-flusher: ListingsTable: no index 'dirtty'" in message
    assert "stock-flusher: ListingsTable/index/dirty: 'PutItem' is not an index read" in message
    assert "stock-flusher: ShopsTable: no action (drop the table from the spec)" in message
    assert "stock-flusher: AlertsTable: access must be a TableAccess" in message


def test_a_function_sending_alerts_needs_the_topic_and_the_alert_records_together():
    # Given a marker made to alert without the alert records in its tables, and the reverse
    alerting = replace(STOCK_MARKER, alerts=True)
    silent = replace(STOCK_LEDGER, alerts=False)

    # When the specs are validated
    with pytest.raises(InfraConfigError) as raised:
        Specs(functions=(alerting, silent)).validate()

    # Then both halves are named
    assert "stock-marker: alerts=True needs tables['AlertsTable'] = SENDS_ALERTS" in str(raised.value)
    assert "stock-ledger: AlertsTable access for sending alerts, but alerts=False" in str(raised.value)


def test_the_shipped_specs_declare_valid_access():
    # Given the specs in crossdock.core.names
    # Then they validate, and every access is a TableAccess of known actions
    Specs().validate()
    for spec in FUNCTIONS:
        for grant in spec.tables.values():
            assert grant.actions <= READ_ACTIONS | WRITE_ACTIONS
            assert all(reads <= INDEX_ACTIONS for _, reads in grant.indexes)


@pytest.mark.parametrize(
    "expression",
    [
        "rate(30 minute)",
        "rate(1 hours)",
        "rate(0 minutes)",
        "rate(5 weeks)",
        "cron(0 3 * * *)",
        "cron(0 3 * * * *)",
        "every 5 minutes",
        "",
        "rate(30 minutes) ",
    ],
)
def test_a_malformed_schedule_override_is_refused_naming_it(expression):
    # When a schedule override EventBridge would refuse is applied
    with pytest.raises(InfraConfigError) as raised:
        Specs().with_schedules({"suppliers-planner": expression})

    # Then the synth stops before anything is deployed, naming the function and the expression
    assert f"bad schedule override: schedule:suppliers-planner: {expression!r}" in str(raised.value)


def test_well_formed_schedules_pass_including_every_default():
    for expression in ["rate(1 hour)", "rate(30 minutes)", "cron(0 3 * * ? *)", "cron(0 9 ? * MON-FRI *)"]:
        assert schedule_problem(expression) is None, expression
    assert [s.name for s in FUNCTIONS if s.schedule and schedule_problem(s.schedule)] == []


def test_a_schedule_override_for_an_unknown_function_lists_the_scheduled_ones():
    with pytest.raises(InfraConfigError) as raised:
        Specs().with_schedules({"suppliers-plannr": "rate(1 hour)"})
    assert "unknown or unscheduled function(s): suppliers-plannr" in str(raised.value)
    assert "suppliers-planner" in str(raised.value).partition("scheduled functions:")[2]


def test_cdk_cli_context_reaches_the_synth(cli_runs):
    # Given cdk.json's app run as `cdk deploy -c schedule:suppliers-planner=... -c deletionProtection=false`
    # runs it (context in CDK_CONTEXT_JSON: see the cli_runs fixture)
    returncode, stderr = cli_runs.overrides.wait()

    # Then the synth succeeds, says what it changed, and the template carries both
    assert returncode == 0, stderr[-3000:]
    assert "schedule of suppliers-planner: rate(30 minutes) (default rate(15 minutes))" in stderr
    assert "deletion protection off" in stderr
    template = json.loads((cli_runs.overrides.outdir / f"{DEFAULT_STACK_NAME}.template.json").read_text())
    resources = template["Resources"].values()
    rules = [
        r["Properties"]["ScheduleExpression"]
        for r in resources
        if r["Type"] == "AWS::Events::Rule" and "ScheduleExpression" in r["Properties"]
    ]
    assert "rate(30 minutes)" in rules and rules.count("rate(15 minutes)") == 1  # tracking keeps its own
    tables = [r for r in resources if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == len(TABLES)
    assert all(t["Properties"]["DeletionProtectionEnabled"] is False for t in tables)
    assert all(t["DeletionPolicy"] == "Delete" for t in tables)


def test_cdk_cli_context_naming_an_unknown_function_stops_the_synth(cli_runs):
    # Given `cdk deploy -c schedule:suppliers-plannr=rate(1 hour)` (a typo)
    returncode, stderr = cli_runs.unknown.wait()

    # Then nothing is synthesized (so nothing deployed) and the error names the typo
    assert returncode == 2
    assert "error: schedule override for unknown or unscheduled function(s): suppliers-plannr" in stderr
    assert not (cli_runs.unknown.outdir / f"{DEFAULT_STACK_NAME}.template.json").exists()


@pytest.mark.parametrize("value", ["no", "0", "off", ""])
def test_deletion_protection_context_is_true_or_false_nothing_else(layer_dir, tmp_path, value):
    with pytest.raises(InfraConfigError, match="context deletionProtection must be true or false"):
        create_app({"layerDir": str(layer_dir), "deletionProtection": value}, outdir=str(tmp_path))


def test_visibility_timeout_beyond_the_sqs_maximum_is_rejected():
    # Given a consumer whose timeout × 6 exceeds 12 hours
    spec = ORDER_TASKS_QUEUE

    # When / Then the queue cannot be built
    with pytest.raises(InfraConfigError, match="SQS maximum"):
        visibility_timeout_s(spec, [2 * 60 * 60 + 1])
    assert visibility_timeout_s(spec, [600]) == 3600 > spec.visibility_timeout_s


def test_spec_env_cannot_override_what_infra_sets(synth):
    # Given a spec whose extra env collides with a managed variable
    spec = replace(ORDERS_WORKER, env={ENV_SHOPS_TABLE: "elsewhere"})
    stack = synth.stack
    wiring = Wiring(
        stack.tables, stack.queues, stack.alerts, stack.reports, stack.undeliverable, stack.layer, ROOT
    )

    # When / Then the environment is refused
    with pytest.raises(InfraConfigError, match=ENV_SHOPS_TABLE):
        function_environment(spec, wiring)
