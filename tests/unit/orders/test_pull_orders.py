"""The order pull use case against moto in-process (no sockets) and an in-memory channel."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from crossdock.core.errors import AuthError, RetriesExhaustedError, RetryableError
from crossdock.orders.compose import order_puller
from crossdock.orders.storage.tables import OrderModel
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.storage.tables import ShopModel

from tests.support.aws import moto_resources
from tests.support.fake_channel import FakeChannel, FakeSources, ManualClock

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def env():
    with moto_resources() as settings:
        ShopModel("shop-1", channel="taobao", secret_name="unused", created_at=START).save()
        yield settings


def make_puller(settings, channel, clock):
    return order_puller(settings, clock=clock, sources=FakeSources(channel))


def queued_events(settings) -> list[dict]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    events = []
    while True:
        batch = sqs.receive_message(QueueUrl=settings.order_events_queue_url, MaxNumberOfMessages=10)
        messages = batch.get("Messages", [])
        if not messages:
            return events
        for m in messages:
            events.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=settings.order_events_queue_url, ReceiptHandle=m["ReceiptHandle"])


def test_first_run_backfills_then_advances_checkpoint(env):
    # Given a channel with orders over the last two days
    clock = ManualClock(START)
    channel = FakeChannel()
    for i in range(7):
        channel.put(f"T{i}", START - timedelta(hours=40 - i))
    # When the shop is pulled for the first time
    report = make_puller(env, channel, clock).pull(ShopTask(shop_id="shop-1"))
    # Then every order is stored once, events announced, checkpoint = now − settle lag
    assert report.outcome == "done" and report.new == 7
    assert OrderModel.count("taobao#shop-1") == 7
    assert ShopModel.get("shop-1").checkpoint <= START
    assert {e["event_type"] for e in queued_events(env)} == {"order.created"}


def test_rerun_is_idempotent_and_status_change_emits_event(env):
    # Given orders already pulled
    clock = ManualClock(START)
    channel = FakeChannel()
    channel.put("T1", START - timedelta(hours=1))
    puller = make_puller(env, channel, clock)
    puller.pull(ShopTask(shop_id="shop-1"))
    queued_events(env)
    # When the order is paid and the same window is pulled twice
    channel.advance("T1", clock.tick(60))
    clock.tick(600)
    first = puller.pull(ShopTask(shop_id="shop-1"))
    second = puller.pull(ShopTask(shop_id="shop-1"))
    # Then one update, then nothing new; exactly one status event
    assert (first.updated, second.updated, second.new) == (1, 0, 0)
    events = queued_events(env)
    assert [e["event_type"] for e in events] == ["order.status_changed"]
    assert events[0]["previous_status"] == "pending" and events[0]["status"] == "paid"


def test_fault_mid_window_keeps_checkpoint(env):
    # Given a channel that fails on the second page
    clock = ManualClock(START)
    channel = FakeChannel()
    for i in range(7):
        channel.put(f"T{i}", START - timedelta(minutes=50 - i))
    ShopModel.get("shop-1").update(actions=[ShopModel.checkpoint.set(START - timedelta(hours=1))])

    def fail(page: int) -> None:
        if page == 0:
            raise RetriesExhaustedError("taobao", RetryableError("taobao", "HTTP 503"), 5)

    channel.between_pages = fail
    # When pulled
    report = make_puller(env, channel, clock).pull(ShopTask(shop_id="shop-1"))
    # Then the failure is recorded, and the checkpoint has not moved past unread data
    shop = ShopModel.get("shop-1")
    assert report.outcome == "failed"
    assert shop.checkpoint == START - timedelta(hours=1)
    assert shop.failing_since is not None and "503" in shop.last_error


def test_auth_failure_blocks_shop_and_alerts_once(env, tmp_path):
    # Given a channel whose credentials were revoked
    clock = ManualClock(START)
    channel = FakeChannel()
    channel.put("T1", START - timedelta(minutes=30))

    def revoked(page: int) -> None:
        raise AuthError("taobao", "Invalid session", code="27")

    channel.between_pages = revoked
    puller = make_puller(env, channel, clock)
    puller.alerts.outbox = tmp_path
    # When pulled by the schedule twice
    first = puller.pull(ShopTask(shop_id="shop-1"))
    clock.tick(300)
    second = puller.pull(ShopTask(shop_id="shop-1"))
    # Then the shop is blocked, one e-mail, and the second run did not call the channel
    assert first.outcome == second.outcome == "auth_blocked"
    assert second.stats.total_calls == 0 and channel.reads == 2  # original + one refreshed-credentials retry
    mails = list(tmp_path.glob("*.eml"))
    assert len(mails) == 1
    assert "authorization failed" in mails[0].read_text()


def test_continuation_enqueued_when_time_runs_out(env):
    # Given a long backlog and almost no Lambda time left
    clock = ManualClock(START)
    channel = FakeChannel()
    channel.put("T1", START - timedelta(days=3))
    puller = make_puller(env, channel, clock)
    puller.remaining = lambda: timedelta(seconds=5)
    # When pulled
    report = puller.pull(ShopTask(shop_id="shop-1"))
    # Then it stops cleanly and enqueues its own continuation
    sqs = boto3.client("sqs", region_name="us-east-1")
    body = json.loads(sqs.receive_message(QueueUrl=env.order_tasks_queue_url)["Messages"][0]["Body"])
    assert report.outcome == "continued"
    assert body == {"kind": "pull", "shop_id": "shop-1", "reason": "continuation"}


def test_window_too_long_for_one_run_is_shrunk_and_continued(env):
    # Given a window with many pages and a run that runs out of time after the first page
    clock = ManualClock(START)
    channel = FakeChannel()
    for i in range(9):
        channel.put(f"T{i}", START - timedelta(hours=2, minutes=i))
    ShopModel.get("shop-1").update(actions=[ShopModel.checkpoint.set(START - timedelta(hours=3))])
    puller = make_puller(env, channel, clock)
    budget = iter([timedelta(minutes=5), timedelta(minutes=5), timedelta(seconds=1)])
    puller.remaining = lambda: next(budget, timedelta(seconds=1))
    # When pulled
    report = puller.pull(ShopTask(shop_id="shop-1"))
    # Then the checkpoint stays, the next runs use windows half as long, and a continuation is queued
    shop = ShopModel.get("shop-1")
    assert report.outcome == "continued" and shop.checkpoint == START - timedelta(hours=3)
    assert shop.window_cap_s == pytest.approx(
        (timedelta(hours=3) + timedelta(minutes=5) - timedelta(minutes=2)).total_seconds() / 2
    )


def test_rate_wait_beyond_the_run_defers_to_a_delayed_continuation(env):
    # Given a channel whose next call is only allowed in 10 minutes
    from crossdock.core.errors import CallDeferred

    clock = ManualClock(START)
    channel = FakeChannel()
    channel.put("T1", START - timedelta(minutes=20))

    def slow(page: int) -> None:
        raise CallDeferred("taobao", 600)

    channel.between_pages = slow
    # When pulled
    report = make_puller(env, channel, clock).pull(ShopTask(shop_id="shop-1"))
    # Then the worker does not sleep past its timeout: it queues itself for later
    sqs = boto3.client("sqs", region_name="us-east-1")
    assert report.outcome == "continued"
    assert not sqs.receive_message(QueueUrl=env.order_tasks_queue_url).get(
        "Messages"
    )  # delayed, not visible yet
    attrs = sqs.get_queue_attributes(QueueUrl=env.order_tasks_queue_url, AttributeNames=["All"])["Attributes"]
    assert attrs["ApproximateNumberOfMessagesDelayed"] == "1"


def test_reconciliation_recovers_missing_orders_and_says_so(env, tmp_path):
    # Given a day pulled incrementally, one order later lost from the store, one changed after the checkpoint
    from crossdock.orders.usecases.reconcile import Reconciler

    day = datetime(2026, 10, 31, tzinfo=UTC)
    clock = ManualClock(START)
    channel = FakeChannel()
    for i in range(5):
        channel.put(f"T{i}", day + timedelta(hours=3 + i))
    puller = make_puller(env, channel, clock)
    puller.alerts.outbox = tmp_path
    puller.pull(ShopTask(shop_id="shop-1"))
    OrderModel.get("taobao#shop-1", "T2").delete()
    # When the previous day is reconciled
    task = ShopTask(
        shop_id="shop-1", kind="reconcile", reason="reconcile", since=day, until=day + timedelta(days=1)
    )
    report = Reconciler(puller).reconcile(task)
    # Then the lost order is back, and one e-mail says how many were missing
    assert report.recovered == ["T2"]
    assert OrderModel.get("taobao#shop-1", "T2").status == "pending"
    (mail,) = tmp_path.glob("*.eml")
    assert "1 orders were missing and have been recovered" in mail.read_text()
    assert ShopModel.get("shop-1").last_reconciled_day == "2026-10-31"


SECRET_VALUE = "6100deadbeef0123456789abcdef0123"


class SecretWithoutSession(FakeSources):
    """A rotated secret whose `session` key was misspelled: building the source fails, not a call."""

    def open(self, shop, *, refresh_credentials=False, budget=None):
        raise ValueError(
            f"secret crossdock/shops/shop-1 lacks session for taobao: {{'app_key': '1', 'sesion': '{SECRET_VALUE}'}}"
        )


def test_unexpected_error_marks_the_shop_failing_with_a_sanitized_reason_and_is_raised_again(env):
    # Given a shop whose secret lacks a field
    from crossdock.shops.usecases.admin import shop_statuses

    clock = ManualClock(START)
    puller = make_puller(env, FakeChannel(), clock)
    puller.sources = SecretWithoutSession(FakeChannel())
    # When the scheduled pull runs
    with pytest.raises(ValueError):
        puller.pull(ShopTask(shop_id="shop-1"))
    # Then the queue will redeliver the task, and the shop shows failing with a reason free of secrets
    shop = ShopModel.get("shop-1")
    assert shop.last_run["outcome"] == "failed"
    assert shop.failing_since == START and shop.lease_until is None
    assert shop.last_error.startswith("ValueError: secret crossdock/shops/shop-1 lacks session for taobao")
    assert SECRET_VALUE not in shop.last_error and len(shop.last_error) <= 300
    (status,) = shop_statuses(START)
    assert status.state == "failing"


def test_unexpected_errors_for_half_an_hour_send_one_failing_alert(env, tmp_path):
    # Given a shop whose every pull fails inside crossdock
    clock = ManualClock(START)
    puller = make_puller(env, FakeChannel(), clock)
    puller.sources = SecretWithoutSession(FakeChannel())
    puller.alerts.outbox = tmp_path
    # When it is pulled every 15 minutes for 45 minutes
    for _ in range(4):
        with pytest.raises(ValueError):
            puller.pull(ShopTask(shop_id="shop-1"))
        clock.tick(15 * 60)
    # Then one e-mail, at the 30-minute pull, without the secret's value
    (mail,) = tmp_path.glob("*.eml")
    text = mail.read_text()
    assert "no orders pulled for 30 min" in text and "error inside crossdock" in text
    assert SECRET_VALUE not in text


def test_a_successful_pull_clears_the_failing_state_of_an_unexpected_error(env):
    # Given a shop that failed on its secret, then got a complete one
    clock = ManualClock(START)
    channel = FakeChannel()
    channel.put("T1", START - timedelta(minutes=20))
    puller = make_puller(env, channel, clock)
    puller.sources = SecretWithoutSession(channel)
    with pytest.raises(ValueError):
        puller.pull(ShopTask(shop_id="shop-1"))
    puller.sources = FakeSources(channel)
    clock.tick(300)
    # When pulled again
    report = puller.pull(ShopTask(shop_id="shop-1"))
    # Then the shop is healthy again
    shop = ShopModel.get("shop-1")
    assert report.outcome == "done" and report.new == 1
    assert shop.failing_since is None and shop.last_error is None


def take_lease_elsewhere(now, seconds=200):
    from crossdock.shops.storage.shops import ShopRepository

    assert ShopRepository().try_lease("shop-1", "other-worker", now, timedelta(seconds=seconds))


def queued_tasks(settings) -> list[dict]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    attrs = sqs.get_queue_attributes(QueueUrl=settings.order_tasks_queue_url, AttributeNames=["All"])
    delayed = int(attrs["Attributes"]["ApproximateNumberOfMessagesDelayed"])
    visible = sqs.receive_message(QueueUrl=settings.order_tasks_queue_url, MaxNumberOfMessages=10)
    return [{"delayed": delayed}, *(json.loads(m["Body"]) for m in visible.get("Messages", []))]


@pytest.mark.parametrize(
    "task",
    [
        ShopTask(shop_id="shop-1", reason="manual", since=START - timedelta(days=2)),
        ShopTask(shop_id="shop-1", reason="manual"),
        ShopTask(shop_id="shop-1", reason="continuation"),
        ShopTask(shop_id="shop-1", reason="continuation", since=START - timedelta(days=2)),
        ShopTask(
            shop_id="shop-1",
            kind="reconcile",
            reason="reconcile",
            since=START - timedelta(days=1),
            until=START,
        ),
    ],
    ids=["backfill", "manual", "continuation", "backfill-continuation", "reconcile"],
)
def test_a_task_that_must_not_be_lost_is_deferred_until_the_lease_ends(env, task, monkeypatch):
    # Given another worker holding the shop for 200 s more
    from crossdock.orders.usecases.reconcile import Reconciler

    clock = ManualClock(START)
    take_lease_elsewhere(START, seconds=200)
    puller = make_puller(env, FakeChannel(), clock)
    sent: list[tuple[list[dict], int]] = []
    monkeypatch.setattr(puller.tasks, "enqueue", lambda tasks, *, delay_s=0: sent.append((tasks, delay_s)))
    # When the task arrives
    report = Reconciler(puller).reconcile(task) if task.kind == "reconcile" else puller.pull(task)
    # Then the same task is queued again, delayed until the lease has ended, and nothing else happens
    assert report.outcome == "deferred"
    assert sent == [([task.body()], 200)]
    shop = ShopModel.get("shop-1")
    assert shop.lease_owner == "other-worker" and not shop.last_run and shop.last_pull_at is None


def test_a_deferred_task_really_waits_on_the_queue(env):
    # Given a busy shop
    clock = ManualClock(START)
    take_lease_elsewhere(START)
    # When a manual backfill arrives
    task = ShopTask(shop_id="shop-1", reason="manual", since=START - timedelta(days=1))
    make_puller(env, FakeChannel(), clock).pull(task)
    # Then it is on the order-tasks queue, delayed (not visible yet)
    assert queued_tasks(env) == [{"delayed": 1}]


def test_the_deferral_is_bounded_by_the_sqs_maximum_and_a_floor(env, monkeypatch):
    # Given a lease far in the future, then one that has just ended
    clock = ManualClock(START)
    take_lease_elsewhere(START, seconds=3600)
    puller = make_puller(env, FakeChannel(), clock)
    delays: list[int] = []
    monkeypatch.setattr(puller.tasks, "enqueue", lambda tasks, *, delay_s=0: delays.append(delay_s))
    task = ShopTask(shop_id="shop-1", reason="continuation")
    # When the task meets each
    puller.pull(task)
    ShopModel.get("shop-1").update(actions=[ShopModel.lease_until.set(START + timedelta(seconds=1))])
    puller.pull(task)
    # Then it waits at most 15 minutes and at least 30 s
    assert delays == [900, 30]


@pytest.mark.parametrize("reason", ["schedule", "degraded", "probe"])
def test_a_planned_pull_meeting_a_busy_shop_is_dropped_for_the_next_plan(env, reason, monkeypatch):
    # Given a busy shop
    clock = ManualClock(START)
    take_lease_elsewhere(START)
    puller = make_puller(env, FakeChannel(), clock)
    sent: list[object] = []
    monkeypatch.setattr(puller.tasks, "enqueue", lambda tasks, *, delay_s=0: sent.append(tasks))
    # When a planned pull arrives
    report = puller.pull(ShopTask(shop_id="shop-1", reason=reason))
    # Then it is dropped: the running pull reads from the same checkpoint, the planner plans again
    assert report.outcome == "busy" and sent == []
    assert ShopModel.get("shop-1").last_pull_at is None  # so the planner sees it as due
