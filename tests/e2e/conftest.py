"""The small demo run the tracking and supplier stories are asserted against: two shops, three
cycles. Session-scoped, so a test worker that runs both files runs the demo once."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from crossdock_local.demo import run_demo
from crossdock_local.demos.orders.shops import CATALOGUE
from crossdock_local.report import DemoResult

from tests.support.dynamodb_access import AccessRecorder

TWO_SHOPS = tuple(plan for plan in CATALOGUE if plan.shop_id in ("taobao-cn", "amazon-us"))


@pytest.fixture(scope="session", autouse=True)
def dynamodb_access_as_granted() -> Iterator[AccessRecorder]:
    """Every function the demos run calls only the DynamoDB actions its FunctionSpec grants (in AWS,
    IAM refuses any other): the grants in crossdock.core.names stay what the code does."""
    with AccessRecorder().installed() as recorder:
        yield recorder
    assert recorder.violations() == [], "update FunctionSpec.tables in crossdock.core.names"


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
