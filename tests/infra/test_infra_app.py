"""The entry point and its failure modes: hermetic synth, missing layer, bad specs, no alert e-mail."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from crossdock import constants as c

from infra.assembly import create_app
from infra.components.errors import InfraConfigError
from infra.components.functions import Wiring, function_environment
from infra.components.queues import visibility_timeout_s
from infra.components.specs import Specs
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
    bad = replace(c.ORDERS_PLANNER, tables=("NoSuchTable",))

    # When the specs are validated
    with pytest.raises(InfraConfigError) as raised:
        Specs(functions=(bad,)).validate()

    # Then the message names the function and the table
    assert "orders-planner: unknown table 'NoSuchTable'" in str(raised.value)


def test_visibility_timeout_beyond_the_sqs_maximum_is_rejected():
    # Given a consumer whose timeout × 6 exceeds 12 hours
    spec = c.ORDER_TASKS_QUEUE

    # When / Then the queue cannot be built
    with pytest.raises(InfraConfigError, match="SQS maximum"):
        visibility_timeout_s(spec, [2 * 60 * 60 + 1])
    assert visibility_timeout_s(spec, [600]) == 3600 > spec.visibility_timeout_s


def test_spec_env_cannot_override_what_infra_sets(synth):
    # Given a spec whose extra env collides with a managed variable
    spec = replace(c.ORDERS_WORKER, env={c.ENV_SHOPS_TABLE: "elsewhere"})
    stack = synth.stack
    wiring = Wiring(stack.tables, stack.queues, stack.alerts, stack.undeliverable, stack.layer, ROOT)

    # When / Then the environment is refused
    with pytest.raises(InfraConfigError, match=c.ENV_SHOPS_TABLE):
        function_environment(spec, wiring)
