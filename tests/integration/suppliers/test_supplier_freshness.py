"""Supplier freshness against the 1688 sandbox over HTTP, on the local stack: the issue's four
situations, and the planner → worker functions with real event shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from crossdock.core.alerts.store import AlertModel
from crossdock.core.names import DEFAULT_SUPPLIER_SECRETS_PREFIX
from crossdock.deployment import QUEUES
from crossdock.suppliers import compose as suppliers_compose
from crossdock.suppliers.resources import SUPPLIER_TASKS_QUEUE, SUPPLIERS_PLANNER
from crossdock.suppliers.rules.sourcing import BLOCKED_LINE, SourcingEntry, SupplierLink
from crossdock.suppliers.storage.sourcing import SourcingRepository
from crossdock.suppliers.storage.tables import SupplierStateModel
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.stack import LocalStack
from crossdock_local.sandboxes.alibaba1688.server import Alibaba1688Sandbox

NOW = datetime.now(UTC)


@pytest.fixture
def world() -> Iterator[tuple[LocalStack, Alibaba1688Sandbox]]:
    with LocalStack(rate_scale=100) as stack, Alibaba1688Sandbox(rate_scale=100) as sandbox:
        secret = {**sandbox.credentials, "endpoints": sandbox.endpoints}
        stack.client("secretsmanager").create_secret(
            Name=f"{DEFAULT_SUPPLIER_SECRETS_PREFIX}1688", SecretString=json.dumps(secret)
        )
        yield stack, sandbox


def offer(sandbox: Alibaba1688Sandbox, product: str, *, stock: int, minutes_old: float | None) -> None:
    updated = None if minutes_old is None else NOW - timedelta(minutes=minutes_old)
    sandbox.add_offer(product, updated_at=updated, amount_on_sale=stock, price_ranges=[(1, "23.50")])


def catalog(sku: str, *products: str, need: int = 50) -> None:
    links = [SupplierLink(f"sup-{p}", "1688", p, None, i) for i, p in enumerate(products)]
    SourcingRepository().save_entry(SourcingEntry.create(sku, links), reorder_qty=need, now=NOW)


def check(stack: LocalStack, *skus: str):
    return suppliers_compose.supplier_checker(stack.settings).check(list(skus))


def test_a_stale_primary_is_rejected_with_its_age_and_an_alternate_chosen(world):
    # Given a primary updated 12 hours ago and an alternate 5 minutes ago
    stack, sandbox = world
    offer(sandbox, "600001", stock=500, minutes_old=720)
    offer(sandbox, "600002", stock=120, minutes_old=5)
    catalog("BT-EAR-01", "600001", "600002")

    # When checked
    decision = check(stack, "BT-EAR-01").decisions[0]

    # Then the alternate is chosen; the primary's rejection says stale and how old
    assert decision.chosen is not None and decision.chosen.ref.product_id == "600002"
    first, again = decision.rejected  # the stale primary was read twice, both reads recorded
    assert first.reason == again.reason == "stale"
    assert again.age is not None and again.age >= timedelta(hours=11, minutes=59)
    assert sandbox.stats["calls:alibaba.product.get"] == 3  # the stale primary was read twice


def test_a_fresh_alternate_short_of_stock_is_passed_for_the_next(world):
    # Given a stale primary, a fresh alternate with 30 units, a fresh third with 200; 50 needed
    stack, sandbox = world
    offer(sandbox, "600011", stock=500, minutes_old=200)
    offer(sandbox, "600012", stock=30, minutes_old=3)
    offer(sandbox, "600013", stock=200, minutes_old=8)
    catalog("CASE-02", "600011", "600012", "600013", need=50)

    # When checked
    decision = check(stack, "CASE-02").decisions[0]

    # Then the third is chosen, with both rejections recorded
    assert decision.chosen is not None and decision.chosen.ref.product_id == "600013"
    assert [r.reason for r in decision.rejected] == ["stale", "stale", "short_of_stock"]


def test_no_fresh_supplier_blocks_the_product_and_alerts_once(world):
    # Given two suppliers, one stale and one without an update time
    stack, sandbox = world
    offer(sandbox, "600021", stock=500, minutes_old=90)
    offer(sandbox, "600022", stock=500, minutes_old=None)
    catalog("LAMP-03", "600021", "600022")

    # When checked twice
    first = check(stack, "LAMP-03")
    check(stack, "LAMP-03")

    # Then purchasing sees "do not reorder", and one alert went out
    assert first.blocked == ["LAMP-03"]
    item = SourcingRepository().item("LAMP-03")
    assert item is not None and item.reorder_status == "blocked"
    assert BLOCKED_LINE in first.decisions[0].summary() or first.decisions[0].blocked
    sent = [a for a in AlertModel.scan() if a.dedupe_key.startswith("suppliers-blocked:")]
    assert len(sent) == 1


def test_a_quota_error_moves_on_to_the_alternate(world):
    # Given the app's quota runs out after one call
    stack, sandbox = world
    offer(sandbox, "600031", stock=500, minutes_old=1)
    offer(sandbox, "600032", stock=500, minutes_old=1)
    catalog("MUG-04", "600031", "600032")
    sandbox.set_quota(0)

    # When checked
    decision = check(stack, "MUG-04").decisions[0]

    # Then both suppliers are rejected for quota (typed, not a crash), and the product blocked
    assert [r.reason for r in decision.rejected] == ["quota", "quota"] and decision.blocked


class Recorded:
    """The real alert sender, with what it actually sent kept for reading."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.sent = inner, []

    def send(self, alert, *, now):  # type: ignore[no-untyped-def]
        sent = self.inner.send(alert, now=now)
        if sent:
            self.sent.append(alert)
        return sent


def test_a_used_up_quota_is_one_alert_naming_the_app_and_no_product_is_told_to_add_alternates(world):
    # Given two products on 1688 and the app's quota used up at the gateway
    stack, sandbox = world
    offer(sandbox, "600051", stock=500, minutes_old=1)
    offer(sandbox, "600052", stock=500, minutes_old=1)
    catalog("LAMP-05", "600051", "600052")
    catalog("MUG-06", "600052")
    sandbox.set_quota(0)

    # When two checks run (two workers' batches)
    checkers = [suppliers_compose.supplier_checker(stack.settings) for _ in range(2)]
    for checker in checkers:
        checker.alerts = Recorded(checker.alerts)
    first = checkers[0].check(["LAMP-05"])
    second = checkers[1].check(["MUG-06"])

    # Then one quota alert names the app and its API, says when it resets and what to do
    sent = [a for c in checkers for a in c.alerts.sent]
    [quota] = [a for a in sent if a.dedupe_key.startswith("suppliers-quota:")]
    assert f"alibaba.product.get call of app {sandbox.credentials['app_key']}" in quota.what_happened
    assert "(00:00 China time)" in quota.what_happened
    assert "1688 open platform console" in quota.what_to_do
    assert (first.quota_exhausted, second.quota_exhausted) == (["1688"], [])
    # ... both products are blocked, and their digests blame the quota, not the catalog
    assert first.blocked == ["LAMP-05"] and second.blocked == ["MUG-06"]
    blocked = [a for a in sent if a.dedupe_key.startswith("suppliers-blocked:")]
    assert len(blocked) == 2
    assert all(
        "1688 API quota used up" in a.subject and "add a fresh alternate" not in a.render_body()
        for a in blocked
    )

    # And once the gateway answers again, the products unblock and the incident is over
    sandbox.set_quota(None)
    after = suppliers_compose.supplier_checker(stack.settings).check(["LAMP-05", "MUG-06"])
    assert after.blocked == [] and after.quota_exhausted == []
    assert SupplierStateModel.get("quota#1688").quota_out_since is None
    assert [a.dedupe_key for a in AlertModel.scan() if a.dedupe_key.startswith("suppliers-quota:")] == [
        quota.dedupe_key
    ]


def test_the_planner_and_worker_functions_check_every_catalog_product(world):
    # Given three products, one of them with only a stale supplier
    stack, sandbox = world
    offer(sandbox, "600041", stock=100, minutes_old=2)
    offer(sandbox, "600042", stock=100, minutes_old=400)
    for sku, product in (("P-1", "600041"), ("P-2", "600041"), ("P-3", "600042")):
        catalog(sku, product, need=10)
    runner = LocalRunner({q.logical_id: stack.queue_url(q) for q in QUEUES}, visibility_timeout_s=1)

    # When the planner's schedule fires and the worker drains its queue
    cycle = runner.run_cycle(fire=[SUPPLIERS_PLANNER])

    # Then every product was decided, no record failed, and P-3 is blocked
    assert cycle.fired[SUPPLIERS_PLANNER.name] == {"products": 3, "tasks": 1}
    assert cycle.drained[SUPPLIER_TASKS_QUEUE.logical_id].failed == 0 and not cycle.errors
    statuses = {i.sku: i.reorder_status for i in SourcingRepository().all()}
    assert statuses == {"P-1": "ok", "P-2": "ok", "P-3": "blocked"}
