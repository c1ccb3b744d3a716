"""Construct ids and physical names derived from specs, so they stay stable as specs are added."""

from __future__ import annotations

from typing import cast

from aws_cdk import CfnResource
from constructs import Construct


def construct_id(name: str) -> str:
    """'orders-reconcile-planner' -> 'OrdersReconcilePlanner' (a stable CDK construct id)."""
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-") if part)


def pin_logical_id(construct: Construct, logical_id: str) -> None:
    """Give a stateful resource a fixed CloudFormation logical id, so refactoring the construct tree
    never replaces (and, with RETAIN, orphans) it."""
    cast(CfnResource, construct.node.default_child).override_logical_id(logical_id)
