"""cdk-nag (AwsSolutions + Serverless) and cfn-lint on the synthesized stack."""

from __future__ import annotations

from pathlib import Path

from cfnlint.api import ManualArgs, lint_file

from infra.assembly import nag_packs
from infra.nag import acknowledgements

# CDK renders DependsOn on the execution role next to a GetAtt of it (W3005); CloudFormation accepts it.
ACCEPTED_LINT_WARNINGS = {"W3005"}


def test_cdk_nag_reports_no_unacknowledged_finding(synth):
    # Given both rule packs
    packs = nag_packs()

    # When each validates the synthesized app
    reports = {pack.name: pack.validate_scope(synth.app) for pack in packs}

    # Then no pack reports anything (warnings included)
    findings = [
        f"{name}: {violation.rule_name} at {[r.construct_path for r in violation.violating_resources]}"
        for name, report in reports.items()
        for violation in report.violations
    ]
    assert findings == []
    assert all(report.success for report in reports.values())


def test_every_acknowledgement_gives_a_reason(synth):
    # Given the acknowledgements applied to the stack
    acks = acknowledgements(synth.stack)

    # Then each names a rule and explains itself
    assert acks
    for ack in acks:
        assert ack.rule.startswith(("AwsSolutions-", "Serverless-", "Crossdock-"))
        assert len(ack.reason) > 40, ack.rule


def test_cfn_lint_finds_no_errors_in_the_template(synth):
    # Given the synthesized template file
    template: Path = synth.template_path

    # When cfn-lint checks it in every region the stack may deploy to
    matches = lint_file(template, ManualArgs(regions=["us-east-1", "eu-west-1", "ap-northeast-1"]))

    # Then nothing is an error, and the only warnings are the accepted CDK pattern
    errors = [f"{m.rule.id} {m.message}" for m in matches if m.rule.id.startswith("E")]
    assert errors == []
    assert {m.rule.id for m in matches} <= ACCEPTED_LINT_WARNINGS
