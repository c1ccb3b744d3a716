"""Crossdock's own cdk-nag pack: rules cdk-nag ships outside its pre-built packs that matter here.

`Crossdock-LambdaFunctionUrlAuth` is cdk-nag's "additional rule" LambdaFunctionUrlAuth (a function
URL with auth NONE is public), which neither AwsSolutions nor Serverless applies. Enforcing it makes
every public URL a decision with a reason (`infra/nag.py` acknowledges it on each webhook receiver's
URL, nowhere else), so a URL added by hand cannot go public unnoticed. cdk-nag's rule modules are
not exported to Python, so the rule is restated here (same test: `CfnUrl.authType == NONE`).
"""

from __future__ import annotations

from typing import cast

import jsii
from aws_cdk import CfnResource
from aws_cdk import aws_lambda as lambda_
from cdk_nag import IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance

PACK_NAME = "Crossdock"
URL_AUTH_RULE = "LambdaFunctionUrlAuth"


@jsii.implements(IApplyRule)
class _FunctionUrlAuth:
    """cdk-nag's IApplyRule for one resource (jsii reads these as properties)."""

    def __init__(self, node: CfnResource) -> None:
        self._node = node

    @property
    def node(self) -> CfnResource:
        return self._node

    @property
    def rule_suffix_override(self) -> str:
        return URL_AUTH_RULE

    @property
    def info(self) -> str:
        return "The Lambda function URL allows public, unauthenticated access."

    @property
    def explanation(self) -> str:
        return (
            "Auth NONE lets anyone on the internet invoke the function: acceptable only for a receiver "
            "that authenticates each request itself (a platform's signature) before acting on it."
        )

    @property
    def level(self) -> NagMessageLevel:
        return NagMessageLevel.ERROR

    def rule(self, node: CfnResource) -> NagRuleCompliance:
        if not isinstance(node, lambda_.CfnUrl):
            return NagRuleCompliance.NOT_APPLICABLE
        if node.auth_type == lambda_.FunctionUrlAuthType.NONE.value:
            return NagRuleCompliance.NON_COMPLIANT
        return NagRuleCompliance.COMPLIANT


class CrossdockChecks(NagPack):
    def __init__(self) -> None:
        super().__init__()
        self._pack_name = PACK_NAME

    @property
    def name(self) -> str:
        return PACK_NAME

    def _check_resource(self, node: CfnResource) -> None:
        self._apply_rule(cast(IApplyRule, _FunctionUrlAuth(node)))  # jsii reads properties; mypy wants fields
