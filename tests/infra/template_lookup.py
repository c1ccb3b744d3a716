"""Lookups into a synthesized template, keyed by spec (shared by the infra tests)."""

from __future__ import annotations

import json
from typing import Any

from crossdock.core.specs import FunctionSpec

Resources = dict[str, dict[str, Any]]

ALERT_EMAIL = "ops@example.com"  # the alertEmail context of the shared synth


def of_type(resources: Resources, cfn_type: str) -> Resources:
    return {k: v for k, v in resources.items() if v["Type"] == cfn_type}


def function(resources: Resources, spec: FunctionSpec) -> tuple[str, dict[str, Any]]:
    """(logical id, Properties) of the function built from `spec`."""
    for logical_id, resource in of_type(resources, "AWS::Lambda::Function").items():
        if str(resource["Properties"].get("FunctionName", "")).endswith(f"-{spec.name}"):
            return logical_id, resource["Properties"]
    raise AssertionError(f"no function for spec {spec.name}")


def role_statements(resources: Resources, spec: FunctionSpec) -> list[dict[str, Any]]:
    """Every Allow statement attached to the function's execution role."""
    _, props = function(resources, spec)
    role_id = props["Role"]["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    for policy in of_type(resources, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return [s for s in statements if s["Effect"] == "Allow"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def actions_on(statements: list[dict[str, Any]], resource: Any) -> set[str]:
    return {a for s in statements if resource in as_list(s["Resource"]) for a in as_list(s["Action"])}


def all_actions(statements: list[dict[str, Any]]) -> set[str]:
    return {a for s in statements for a in as_list(s["Action"])}


def table_arn(table_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [table_id, "Arn"]}


def index_arn(table_id: str, index: str) -> dict[str, Any]:
    return {"Fn::Join": ["", [table_arn(table_id), f"/index/{index}"]]}


def dynamodb_grants(statements: list[dict[str, Any]]) -> list[tuple[Any, str]]:
    """Every (resource, action) pair of the DynamoDB actions among `statements`."""
    return [
        (resource, action)
        for s in statements
        for action in as_list(s["Action"])
        if action.startswith("dynamodb:")
        for resource in as_list(s["Resource"])
    ]


PLACEHOLDER = "@@{}@@"


def resolved_json(join: dict[str, Any]) -> dict[str, Any]:
    """A Fn::Join of a JSON document: the object, each CloudFormation reference as its own dict."""
    parts = join["Fn::Join"][1]
    text = "".join(p if isinstance(p, str) else PLACEHOLDER.format(i) for i, p in enumerate(parts))
    refs = {PLACEHOLDER.format(i): p for i, p in enumerate(parts) if not isinstance(p, str)}
    return {k: refs.get(v, v) for k, v in json.loads(text).items()}
