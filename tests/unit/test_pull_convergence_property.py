"""Property: whatever the channel does between and during pulls, with faults and worker crashes
at any point, the store converges to the channel's final state — no duplicate, no loss, no
regression — and every stored version's events reach the queue."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import boto3
from crossdock.adapters.errors import RetriesExhaustedError, RetryableError
from crossdock.bootstrap import order_puller
from crossdock.queues import QueueSendError
from crossdock.storage.models import OrderModel, ShopModel
from crossdock.storage.shops import ShopRepository
from crossdock.usecases.tasks import ShopTask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.aws import moto_resources
from tests.support.fake_channel import FakeChannel, FakeSources, ManualClock

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
            ShopModel(shop_id, channel="taobao", secret_name="unused", created_at=START).save()
            clock = ManualClock(START)
            channel = FakeChannel(shop_id=shop_id)
            puller = order_puller(env, clock=clock, sources=FakeSources(channel))
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
            for oid, order in channel.orders.items():
                last = max((e for e in published if e["order_id"] == oid), key=lambda e: e["occurred_at"])
                assert last["status"] == order.status.value

        run()
