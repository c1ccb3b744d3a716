"""The order pull use case against moto in-process (no sockets) and an in-memory channel."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from crossdock.adapters.errors import AuthError, RetriesExhaustedError, RetryableError
from crossdock.bootstrap import order_puller
from crossdock.storage.models import OrderModel, ShopModel
from crossdock.usecases.tasks import ShopTask

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
    from crossdock.adapters.errors import CallDeferred

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
    from crossdock.usecases.reconcile import Reconciler

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
