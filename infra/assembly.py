"""Builds the CDK app: context (cdk.json feature flags + overrides), the stack, cdk-nag enforcement.

Context keys: `layerDir` (default build/layer), `functionsDir` (default functions/), `alertEmail`
(optional), `reportEmail` (optional; default the alertEmail address), `stackName` (default crossdock), `schedule:<function>` (a rule expression replacing that
function's schedule, e.g. `-c "schedule:suppliers-planner=rate(30 minutes)"`; an unknown function or
a malformed expression stops the synth), `deletionProtection` (default true; `false` for throwaway
stacks: tables unprotected and deleted with the stack), and one key per partner event route
(`EventRouteSpec.context_key`): `shopifyEventSource=aws.partner/shopify.com/<app id>/<name>` deploys
the Shopify partner event bus and its rule to the Shopify notices queue (absent: not deployed, with
a synth warning; malformed: the synth stops).

Both entry points read the same context: `python infra/app.py -c ...` (make synth) passes it in, and
the CDK CLI (`cdk synth|deploy -c ...` running cdk.json's "app") hands it to the app through the
environment, where `App` reads it; every key is read back from the app, so either way it applies.
`cdk deploy --app cdk.out` deploys an assembly as it was synthesized: the CLI ignores `-c` then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import App, Tags, Validations
from cdk_nag import AwsSolutionsChecks, NagPack, ServerlessChecks
from crossdock.core.names import SERVICE_NAME

from infra.components.errors import InfraConfigError
from infra.components.routes import event_sources
from infra.components.specs import Specs
from infra.nag import acknowledge_findings
from infra.nag_rules import CrossdockChecks
from infra.runtime import CDK_JSON, DEFAULT_FUNCTIONS_DIR, DEFAULT_LAYER_DIR, DEFAULT_STACK_NAME, ROOT
from infra.stack import CrossdockStack


def cdk_json_context(path: Path = CDK_JSON) -> dict[str, Any]:
    return dict(json.loads(path.read_text()).get("context", {})) if path.is_file() else {}


def nag_packs() -> list[NagPack]:
    return [AwsSolutionsChecks(), ServerlessChecks(), CrossdockChecks()]


def _path(app: App, key: str, default: Path) -> Path:
    value = app.node.try_get_context(key)
    return (ROOT / value).resolve() if value else default


def _schedules(context: Mapping[str, Any]) -> dict[str, str]:
    return {k.partition(":")[2]: str(v) for k, v in context.items() if k.startswith("schedule:")}


def _flag(app: App, key: str, default: bool) -> bool:
    """A true/false context value (the CDK CLI passes `-c key=false` as the string "false")."""
    value = app.node.try_get_context(key)
    if value is None or isinstance(value, bool):
        return default if value is None else value
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        raise InfraConfigError(f"context {key} must be true or false, got {value!r}")
    return text == "true"


def create_app(
    context: Mapping[str, Any] | None = None, *, outdir: str | None = None, enforce_nag: bool = True
) -> tuple[App, CrossdockStack]:
    """The app and its one stack. With `enforce_nag`, synth fails on any unacknowledged finding."""
    app = App(context={**cdk_json_context(), **(context or {})}, outdir=outdir)
    # All the context the app holds: what was passed here and what the CDK CLI put in the environment.
    given: Mapping[str, Any] = app.node.get_all_context() or {}
    specs = Specs().with_schedules(_schedules(given))
    stack = CrossdockStack(
        app,
        str(app.node.try_get_context("stackName") or DEFAULT_STACK_NAME),
        layer_dir=_path(app, "layerDir", DEFAULT_LAYER_DIR),
        functions_dir=_path(app, "functionsDir", DEFAULT_FUNCTIONS_DIR),
        alert_email=app.node.try_get_context("alertEmail") or None,
        report_email=app.node.try_get_context("reportEmail") or None,
        specs=specs,
        deletion_protection=_flag(app, "deletionProtection", True),
        event_sources=event_sources(specs.routes, given),
    )
    Tags.of(stack).add("project", SERVICE_NAME)
    acknowledge_findings(stack)
    if enforce_nag:
        Validations.of(app).add_plugins(*nag_packs())
    return app, stack
