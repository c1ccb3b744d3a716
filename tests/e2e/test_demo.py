"""`crossdock local` end to end, small: five shops on four channel sandboxes, realistic faults, the
books changing while the pulls run, one revoked authorization, one order deleted behind crossdock's
back before the reconciliation. What the operators would check afterwards is asserted here."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from crossdock_local.demo import run_demo
from crossdock_local.demos.orders.shops import CATALOGUE
from crossdock_local.report import DemoResult


@dataclass
class Run:
    result: DemoResult
    output: str
    outbox: Path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    outbox = tmp_path_factory.mktemp("outbox")
    out = io.StringIO()
    result = run_demo(
        cycles=3, fault_profile="realistic", seed=11, outbox=outbox, orders=30, changes_per_cycle=30, out=out
    )
    yield Run(result, out.getvalue(), outbox)


def emails(run: Run, key: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in run.result.alerts if f"-{key}" in p.name]


def test_every_shop_that_is_not_degraded_holds_every_order_in_its_newest_state(run: Run) -> None:
    # Given / When: the demo ran
    states = {s.shop_id: s.state for s in run.result.statuses}

    # Then: degraded shops wait for their hourly pull by design; every other shop has converged
    for shop_id, check in run.result.convergence.items():
        assert not check.unknown, f"{shop_id} stored orders its channel does not have: {check.unknown}"
        if states[shop_id] == "degraded":
            assert emails(run, f"breaker_{shop_id}"), f"{shop_id} is degraded without a breaker alert"
            continue
        assert check.converged, f"{shop_id}: {check.describe()}"
        assert check.stored == check.book
    assert sum(states[s] != "degraded" for s in states) >= 3


def test_the_revoked_shop_raised_one_auth_alert_and_caught_up_after_resume(run: Run) -> None:
    # Given
    [auth] = emails(run, "auth_ebay-de")
    figures = run.result.functions

    # Then: one e-mail, telling the operator what to run; no task failed or was dead-lettered
    assert "Subject: [crossdock] Shop ebay-de (ebay): authorization failed, order pulls stopped" in auth
    assert "crossdock shops resume ebay-de" in auth
    assert figures["orders-worker"].records_failed == 0
    assert not any(run.result.dead_letters.values())
    ebay = next(s for s in run.result.statuses if s.shop_id == "ebay-de")
    assert ebay.state != "auth_blocked"


def test_the_deleted_order_was_recovered_by_the_reconciliation_and_reported(run: Run) -> None:
    # Given
    deleted = run.result.deleted_order
    [recovered] = emails(run, "reconcile_amazon-jp_")

    # Then
    assert deleted is not None
    assert "orders were missing and have been recovered" in recovered
    assert f"  - {deleted}" in recovered
    assert run.result.convergence["amazon-jp"].missing == []


def test_output_accounts_for_every_shop_and_renders_every_alert(run: Run) -> None:
    # Then
    for plan in CATALOGUE:
        assert f"{plan.shop_id} · {plan.channel} · {plan.currency} · state " in run.output
    assert "faster than documented (CROSSDOCK_RATE_SCALE=200)" in run.output
    for path in run.result.alerts:
        assert path.parent == run.outbox.resolve()
        assert path.read_text(encoding="utf-8").split("\n\n", 1)[1].strip() in run.output
