"""The small demo run the tracking and supplier stories are asserted against: two shops, three
cycles. Session-scoped, so a test worker that runs both files runs the demo once."""

from __future__ import annotations

import io

import pytest
from crossdock_local.demo import run_demo
from crossdock_local.report import DemoResult
from crossdock_local.shops import CATALOGUE

TWO_SHOPS = tuple(plan for plan in CATALOGUE if plan.shop_id in ("taobao-cn", "amazon-us"))


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoResult, str]:
    out = io.StringIO()
    result = run_demo(
        cycles=3,
        fault_profile="realistic",
        seed=5,
        outbox=tmp_path_factory.mktemp("outbox"),
        orders=30,
        changes_per_cycle=20,
        plans=TWO_SHOPS,
        out=out,
    )
    return result, out.getvalue()
