"""Functions: runtime, architecture, logging, tracing, environment and triggers, per FunctionSpec."""

from __future__ import annotations

import pytest
from crossdock.core.names import (
    DEFAULT_SECRETS_PREFIX,
    ENV_ALERTS_TOPIC_ARN,
    ENV_SECRETS_PREFIX,
    ENV_WORKER_CONCURRENCY,
    METRICS_NAMESPACE,
    SERVICE_NAME,
)
from crossdock.deployment import FUNCTIONS, QUEUES, TABLES
from crossdock.tracking.resources import TRACKING_WORKER
from template_lookup import function, of_type

SPECS = {spec.name: spec for spec in FUNCTIONS}
SCHEDULED = [spec for spec in FUNCTIONS if spec.schedule]
QUEUE_FED = [spec for spec in FUNCTIONS if spec.queue]


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_each_function_runs_python_3_12_on_arm64_with_tracing_and_json_logs(synth, spec):
    # Given the function built from its spec
    _, props = function(synth.resources, spec)

    # Then runtime, architecture, limits, tracing and logging are as specified
    assert props["Runtime"] == "python3.12"
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == spec.handler
    assert props["MemorySize"] == spec.memory_mb
    assert props["Timeout"] == spec.timeout_s
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    assert len(props["Layers"]) == 1


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_each_function_logs_to_its_own_log_group_kept_one_month(synth, spec):
    # Given the function and the log group its logging config names
    _, props = function(synth.resources, spec)
    log_group_id = props["LoggingConfig"]["LogGroup"]["Ref"]

    # Then that log group is its own and has a retention
    log_group = synth.resources[log_group_id]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == 30
    others = [function(synth.resources, o)[1] for o in FUNCTIONS if o.name != spec.name]
    assert all(o["LoggingConfig"]["LogGroup"]["Ref"] != log_group_id for o in others)


@pytest.mark.parametrize("spec", FUNCTIONS, ids=lambda s: s.name)
def test_environment_names_powertools_and_exactly_the_resources_the_spec_uses(synth, spec):
    # Given the function's environment variables
    _, props = function(synth.resources, spec)
    env = props["Environment"]["Variables"]

    # Then Powertools is configured and each table/queue/topic the spec uses is named
    assert env["POWERTOOLS_SERVICE_NAME"] == SERVICE_NAME
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == METRICS_NAMESPACE
    for table in TABLES:
        if table.logical_id in spec.tables:
            assert env[table.env_var] == {"Ref": table.logical_id}
        else:
            assert table.env_var not in env
    for queue in QUEUES:
        if queue.logical_id in spec.sends_to:
            assert env[queue.env_var] == {"Ref": queue.logical_id}
    assert (ENV_ALERTS_TOPIC_ARN in env) is spec.alerts
    assert (env.get(ENV_SECRETS_PREFIX) == DEFAULT_SECRETS_PREFIX) is spec.reads_secrets


@pytest.mark.parametrize("spec", SCHEDULED, ids=lambda s: s.name)
def test_scheduled_functions_get_the_default_scheduled_event_envelope(synth, spec):
    # Given the EventBridge rule for this function's schedule
    fn_id, _ = function(synth.resources, spec)
    rules = [
        r["Properties"]
        for r in of_type(synth.resources, "AWS::Events::Rule").values()
        if r["Properties"].get("ScheduleExpression") == spec.schedule
        and r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [fn_id, "Arn"]}
    ]

    # Then exactly one rule invokes it, with no custom input, and failures are kept
    assert len(rules) == 1
    (target,) = rules[0]["Targets"]
    assert not {"Input", "InputPath", "InputTransformer"} & set(target)
    assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["UndeliveredEventsQueue", "Arn"]}}


@pytest.mark.parametrize("spec", QUEUE_FED, ids=lambda s: s.name)
def test_queue_fed_functions_report_partial_batch_failures(synth, spec):
    # Given the event source mapping feeding this function
    fn_id, _ = function(synth.resources, spec)
    (mapping,) = [
        m["Properties"]
        for m in of_type(synth.resources, "AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": fn_id}
    ]

    # Then only failed records are retried, from the spec'd queue, in spec'd batches
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == spec.batch_size
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [spec.queue, "Arn"]}


def test_function_names_are_prefixed_by_the_stack_and_unique(synth):
    # Given all function names
    names = [function(synth.resources, spec)[1]["FunctionName"] for spec in FUNCTIONS]

    # Then they are '<stack>-<spec name>' and distinct
    assert names == [f"{synth.stack.stack_name.lower()}-{spec.name}" for spec in FUNCTIONS]
    assert len(set(names)) == len(names)


def test_the_tracking_worker_runs_at_most_two_at_once_and_knows_it(synth):
    # Given the tracking worker's event source mapping and environment
    mappings = [
        m["Properties"]
        for m in synth.resources.values()
        if m["Type"] == "AWS::Lambda::EventSourceMapping"
        and "TrackingTasksQueue" in str(m["Properties"].get("EventSourceArn"))
    ]

    # Then SQS invokes at most two workers, and each paces every source at half its rate
    assert [m.get("ScalingConfig") for m in mappings] == [{"MaximumConcurrency": 2}]
    env = function(synth.resources, TRACKING_WORKER)[1]["Environment"]["Variables"]
    assert env[ENV_WORKER_CONCURRENCY] == "2"


def test_a_schedule_can_be_overridden_from_the_context_and_a_bad_one_is_refused(tmp_path, layer_dir):
    # Given the supplier check every 30 minutes instead of 15, and a typo'd function name
    from aws_cdk.assertions import Template

    from infra.assembly import create_app
    from infra.components.errors import InfraConfigError

    context = {"layerDir": str(layer_dir), "schedule:suppliers-planner": "rate(30 minutes)"}
    _, stack = create_app(context, outdir=str(tmp_path / "a"), enforce_nag=False)

    # Then the rule follows it (tracking keeps its 15 minutes); an unknown function is a clear error
    expressions = [
        r["Properties"].get("ScheduleExpression")
        for r in Template.from_stack(stack).find_resources("AWS::Events::Rule").values()
    ]
    assert "rate(30 minutes)" in expressions and expressions.count("rate(15 minutes)") == 1
    with pytest.raises(InfraConfigError, match="suppliers-plannr"):
        create_app({**context, "schedule:suppliers-plannr": "rate(1 hour)"}, outdir=str(tmp_path / "b"))
