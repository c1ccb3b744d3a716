"""Property: whatever the channel does between and during pulls, with faults and worker crashes
at any point, and with order notices arriving before, after or without the pull (duplicated,
replayed, for unknown shops), the store converges to the channel's final state — no duplicate, no
loss, no regression — every stored version's events reach the queue, nothing is announced twice,
and no notice ever moves the checkpoint.

Second property: manual backfills and continuations interleaved with scheduled pulls, while other
workers hold the shop's lease, are deferred, never dropped — so orders lost from the store (only an
explicit range recovers those) all end stored."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import boto3
from crossdock.core.errors import RetriesExhaustedError, RetryableError
from crossdock.core.queues import QueueSendError
from crossdock.orders.compose import notice_intake, order_puller
from crossdock.orders.storage.tables import OrderModel
from crossdock.orders.usecases.tasks import ShopTask
from crossdock.shops.storage.shops import ShopRepository
from crossdock.shops.storage.tables import ShopModel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.aws import moto_resources
from tests.support.fake_channel import FakeChannel, FakeNotices, FakeSources, ManualClock

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
SHOP_IDS = itertools.count()


class Killed(BaseException):
    """The Lambda process dies: nothing after this point runs, not even `finally` writes."""


class KillableShops(ShopRepository):
    killed = False

    def release(self, shop, owner, **fields):  # a dead process releases nothing
        if not self.killed:
            super().release(shop, owner, **fields)


class FlakyEvents:
    def __init__(self, inner):
        self.inner = inner
        self.fail_next = False

    def publish(self, events):
        if self.fail_next:
            self.fail_next = False
            raise QueueSendError("SQS unavailable")
        return self.inner.publish(events)


faults = st.one_of(
    st.none(),
    st.tuples(st.just("channel_fault"), st.integers(0, 3)),
    st.tuples(st.just("kill"), st.integers(0, 3)),
    st.tuples(st.just("change_during_pull"), st.integers(0, 3), st.integers(0, 50)),
    st.just(("events_down",)),
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(1, 4)),
        st.tuples(st.just("modify"), st.integers(0, 50)),
        st.tuples(st.just("tick"), st.integers(1, 900)),
        st.tuples(st.just("pull"), faults),
        # a notice for an order (by index), possibly a redelivery of an earlier notice (replay)
        st.tuples(st.just("notice"), st.integers(0, 50), st.booleans()),
        st.just(("notice_unknown_shop",)),
    ),
    min_size=1,
    max_size=24,
)


def drain_events(url: str) -> list[dict]:
    sqs = boto3.client("sqs", region_name="us-east-1")
    out: list[dict] = []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for m in batch:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


def test_store_converges_to_channel_state():
    with moto_resources() as env:

        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
        @given(steps)
        def run(plan):
            shop_id = f"shop-{next(SHOP_IDS)}"
            account = f"acct-{shop_id}"
            ShopModel(
                shop_id,
                channel="taobao",
                secret_name="unused",
                created_at=START,
                push_key=f"taobao#{account}",
            ).save()
            clock = ManualClock(START)
            channel = FakeChannel(shop_id=shop_id)
            puller = order_puller(env, clock=clock, sources=FakeSources(channel))
            notices = FakeNotices(channel)
            intake = notice_intake(env, clock=clock, reader=notices)
            sent_notices: list[str] = []
            puller.remaining = lambda: timedelta(minutes=5)  # the worker's Lambda timeout
            shops = puller.shops = KillableShops()
            events = puller.events = FlakyEvents(puller.events)
            stored_versions: dict[str, datetime] = {}
            counter = itertools.count()

            def pull(fault):
                channel.between_pages = None
                if fault and fault[0] == "channel_fault":

                    def hook(page, at=fault[1]):
                        if page == at:
                            raise RetriesExhaustedError("taobao", RetryableError("taobao", "HTTP 503"), 5)

                    channel.between_pages = hook
                elif fault and fault[0] == "kill":

                    def hook(page, at=fault[1]):
                        if page == at:
                            shops.killed = True
                            raise Killed()

                    channel.between_pages = hook
                elif fault and fault[0] == "change_during_pull" and channel.orders:
                    ids = sorted(channel.orders)
                    target = ids[fault[2] % len(ids)]

                    def hook(page, at=fault[1], which=target):
                        if page == at:
                            channel.advance(which, clock.tick(1))

                    channel.between_pages = hook
                elif fault and fault[0] == "events_down":
                    events.fail_next = True
                try:
                    puller.pull(ShopTask(shop_id=shop_id))
                except Killed:
                    shops.killed = False
                    clock.tick(31 * 60)  # SQS redelivers after the visibility timeout; the lease has expired
                except QueueSendError:
                    pass  # the record fails and is redelivered; the outbox still holds the events
                # No regression, ever.
                for item in OrderModel.query(f"taobao#{shop_id}"):
                    assert item.modified_at >= stored_versions.get(item.order_id, item.modified_at)
                    stored_versions[item.order_id] = item.modified_at

            for step in plan:
                if step[0] == "create":
                    for _ in range(step[1]):
                        channel.put(f"T{next(counter)}", clock.tick(1))
                elif step[0] == "modify" and channel.orders:
                    ids = sorted(channel.orders)
                    channel.advance(ids[step[1] % len(ids)], clock.tick(1))
                elif step[0] == "tick":
                    clock.tick(step[1])
                elif step[0] == "pull":
                    pull(step[1])
                elif step[0] == "notice" and channel.orders:
                    ids = sorted(channel.orders)
                    if step[2] and sent_notices:  # the channel delivers an earlier notice again
                        body = sent_notices[step[1] % len(sent_notices)]
                    else:
                        body = FakeNotices.body(account, f"ev-{next(counter)}", ids[step[1] % len(ids)])
                        sent_notices.append(body)
                    before = ShopModel.get(shop_id, consistent_read=True).checkpoint
                    outcome = intake.take("taobao", body)
                    assert outcome["outcome"] in ("stored", "unchanged", "refused"), outcome
                    assert (outcome["outcome"] == "refused") == (outcome.get("reason") == "replayed")
                    assert ShopModel.get(shop_id, consistent_read=True).checkpoint == before
                elif step[0] == "notice_unknown_shop":
                    reads = notices.reads
                    outcome = intake.take(
                        "taobao", FakeNotices.body("acct-nobody", f"ev-{next(counter)}", "T0")
                    )
                    assert outcome["reason"] == "unknown_shop" and notices.reads == reads  # nothing read

            # Quiescence: the channel stops changing, time passes, pulls run without faults.
            clock.tick(600)
            pull(None)
            clock.tick(600)
            pull(None)

            stored = {i.order_id: i for i in OrderModel.query(f"taobao#{shop_id}")}
            assert set(stored) == set(channel.orders)  # no loss, nothing invented
            for oid, order in channel.orders.items():
                assert stored[oid].modified_at == order.modified_at
                assert stored[oid].status == order.status.value
                assert stored[oid].pending_events == []  # every event left the outbox
            published = [e for e in drain_events(env.order_events_queue_url) if e["shop_id"] == shop_id]
            created = {e["order_id"] for e in published if e["event_type"] == "order.created"}
            assert created == set(channel.orders)
            # Nothing announced twice: one event id per order and change, whichever path stored it
            # (a resend after a failed publish repeats the same id; consumers de-duplicate on it).
            announced = {(e["order_id"], e["event_type"], e["status"]): set() for e in published}
            for e in published:
                announced[(e["order_id"], e["event_type"], e["status"])].add(e["event_id"])
            assert all(len(ids) == 1 for ids in announced.values()), announced
            for oid, order in channel.orders.items():
                last = max((e for e in published if e["order_id"] == oid), key=lambda e: e["occurred_at"])
                assert last["status"] == order.status.value

        run()


class DelayedTasks:
    """The order-tasks queue as workers see it: each task becomes visible after its delay."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.order = itertools.count()
        self.waiting: list[tuple[datetime, int, dict]] = []

    def enqueue(self, tasks, *, delay_s: int = 0) -> int:
        for body in tasks:
            self.waiting.append((self.clock() + timedelta(seconds=delay_s), next(self.order), body))
        return len(tasks)

    def take_due(self) -> list[dict]:
        due = sorted(t for t in self.waiting if t[0] <= self.clock())
        self.waiting = [t for t in self.waiting if t[0] > self.clock()]
        return [body for _, _, body in due]

    def next_visible(self) -> datetime:
        return min(t[0] for t in self.waiting)


class BudgetedChannel(FakeChannel):
    """Each page handed out spends one page of the worker's time budget."""

    budget = 10**6

    def pages(self, window):
        for page in super().pages(window):
            self.budget -= 1
            yield page


budgets = st.one_of(st.none(), st.integers(1, 3))  # None: time enough; n: the Lambda stops after n pages
interleavings = st.lists(
    st.one_of(
        st.tuples(st.just("create"), st.integers(1, 4)),
        st.tuples(st.just("modify"), st.integers(0, 50)),
        st.tuples(st.just("tick"), st.integers(1, 900)),
        st.tuples(st.just("lose"), st.integers(0, 50)),
        st.tuples(st.just("hold"), st.integers(30, 400)),
        st.tuples(st.just("schedule"), budgets),
        st.tuples(st.just("backfill"), budgets),
        st.tuples(st.just("deliver"), budgets),
    ),
    min_size=1,
    max_size=20,
)


def test_backfills_and_continuations_meeting_a_busy_shop_are_never_lost():
    with moto_resources() as env:

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        @given(interleavings)
        def run(plan):
            shop_id = f"shop-{next(SHOP_IDS)}"
            # Pulled before (no 90-day first backfill): every order comes after the checkpoint.
            checkpoint = START - timedelta(minutes=1)
            ShopModel(
                shop_id, channel="taobao", secret_name="unused", created_at=START, checkpoint=checkpoint
            ).save()
            clock = ManualClock(START)
            channel = BudgetedChannel(shop_id=shop_id)
            puller = order_puller(env, clock=clock, sources=FakeSources(channel))
            puller.remaining = lambda: timedelta(minutes=5) if channel.budget > 0 else timedelta(seconds=1)
            queue = puller.tasks = DelayedTasks(clock)
            shops = ShopRepository()
            counter = itertools.count()

            def work(body: dict, budget: int | None) -> None:
                """One worker receives one task (with this much time)."""
                channel.budget = 10**6 if budget is None else budget
                puller.pull(ShopTask.from_json(json.dumps(body)))

            def deliver(budget: int | None) -> None:
                for body in queue.take_due():
                    work(body, budget)

            def hold(seconds: int) -> None:
                shops.try_lease(shop_id, "other-worker", clock(), timedelta(seconds=seconds))

            def lose(index: int) -> None:
                stored = sorted(OrderModel.query(f"taobao#{shop_id}"), key=lambda o: o.order_id)
                if stored:
                    stored[index % len(stored)].delete()

            backfill = ShopTask(shop_id=shop_id, reason="manual", since=checkpoint).body()
            for step in plan:
                if step[0] == "create":
                    for _ in range(step[1]):
                        channel.put(f"T{next(counter)}", clock.tick(1))
                elif step[0] == "modify" and channel.orders:
                    ids = sorted(channel.orders)
                    channel.advance(ids[step[1] % len(ids)], clock.tick(1))
                elif step[0] == "tick":
                    clock.tick(step[1])
                elif step[0] == "lose":
                    lose(step[1])
                elif step[0] == "hold":
                    hold(step[1])
                elif step[0] == "schedule":
                    work(ShopTask(shop_id=shop_id).body(), step[1])
                elif step[0] == "backfill":
                    work(backfill, step[1])
                elif step[0] == "deliver":
                    deliver(step[1])

            # Quiescence: the channel stops changing; one more order goes missing from the store, and
            # the operator's backfill arrives while another worker holds the shop.
            clock.tick(600)
            lose(0)
            hold(300)
            work(backfill, None)
            # Every queued task runs once visible. The first runs have time for two pages only, and
            # their continuations meet the shop held by another worker again; then time is ample.
            for rounds in itertools.count():
                assert rounds < 50, "tasks kept coming back"
                if not queue.waiting:
                    break
                clock.now = max(clock(), queue.next_visible())
                deliver(2 if rounds < 4 else None)
                if rounds < 3:
                    hold(120)
            clock.tick(600)
            work(ShopTask(shop_id=shop_id).body(), None)

            stored = {i.order_id: i for i in OrderModel.query(f"taobao#{shop_id}")}
            assert set(stored) == set(channel.orders)  # nothing lost, nothing invented
            for oid, order in channel.orders.items():
                assert stored[oid].modified_at == order.modified_at
                assert stored[oid].status == order.status.value

        run()
