"""NoticeIntake without AWS: which notices are refused (and nothing read or stored), which are read
by id and stored through the pull's write path, and that the checkpoint is never the intake's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from crossdock.orders.rules.notices import push_key
from crossdock.orders.storage.orders import Outcome, Stored
from crossdock.orders.usecases.announce import Announced
from crossdock.orders.usecases.notify import NoticeIntake

from tests.support.fake_channel import FakeChannel, FakeNotices, ManualClock

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


@dataclass
class Shops:
    shops: dict[str, SimpleNamespace] = field(default_factory=dict)
    noticed: list[str] = field(default_factory=list)

    def by_push_key(self, key):
        return self.shops.get(key)

    def record_notice(self, shop_id, now):
        self.noticed.append(shop_id)


@dataclass
class Announcer:
    stored: dict[str, datetime] = field(default_factory=dict)
    pages: list[list[str]] = field(default_factory=list)

    def store(self, page, *, zone):
        self.pages.append([o.order_id for o in page])
        results = []
        for order in page:
            known = self.stored.get(order.order_id)
            if known is not None and known >= order.modified_at:
                results.append(Stored(order.order_id, Outcome.UNCHANGED, [], known))
            else:
                self.stored[order.order_id] = order.modified_at
                results.append(
                    Stored(order.order_id, Outcome.UPDATED if known else Outcome.NEW, [], order.modified_at)
                )
        return Announced(results, sum(r.outcome is not Outcome.UNCHANGED for r in results))


def intake(*, enabled: bool = True):
    channel = FakeChannel(shop_id="tb-1")
    shop = SimpleNamespace(
        shop_id="tb-1", channel="taobao", enabled=enabled, checkpoint=NOW - timedelta(hours=1)
    )
    shops = Shops({push_key("taobao", "Acct-1"): shop})
    reader = FakeNotices(channel)
    announcer = Announcer()
    clock = ManualClock(NOW)
    return (
        NoticeIntake(shops=shops, announcer=announcer, reader=reader, clock=clock),
        channel,
        shops,
        reader,
        announcer,
    )


def test_a_notice_is_read_by_id_and_stored_once_per_change():
    taker, channel, shops, reader, announcer = intake()
    channel.put("T1", NOW - timedelta(minutes=1))
    first = taker.take("taobao", FakeNotices.body("acct-1", "e1", "T1"))  # accounts compare lowered
    again = taker.take("taobao", FakeNotices.body("acct-1", "e2", "T1"))  # a second notice, no change
    assert (first["outcome"], first["events"]) == ("stored", 1)
    assert (again["outcome"], again["events"]) == ("unchanged", 0)
    assert reader.reads == 2 and announcer.pages == [["T1"], ["T1"]]
    assert shops.noticed == ["tb-1", "tb-1"]


def test_refusals_read_and_store_nothing():
    taker, channel, shops, reader, announcer = intake()
    channel.put("T1", NOW)
    outcomes = [
        taker.take("taobao", "not json"),
        taker.take("taobao", '{"account": "acct-1"}'),
        taker.take("taobao", FakeNotices.body("someone-else", "e1", "T1")),
    ]
    assert [o["reason"] for o in outcomes] == ["malformed", "malformed", "unknown_shop"]
    assert all(o["outcome"] == "refused" for o in outcomes)
    assert reader.reads == 0 and announcer.pages == [] and shops.noticed == []


def test_a_disabled_shop_takes_no_notice():
    taker, channel, _shops, reader, announcer = intake(enabled=False)
    channel.put("T1", NOW)
    outcome = taker.take("taobao", FakeNotices.body("acct-1", "e1", "T1"))
    assert outcome["reason"] == "unknown_shop" and "disabled" in outcome["detail"]
    assert reader.reads == 0 and announcer.pages == []


def test_an_order_the_channel_does_not_return_is_missing_not_stored():
    taker, _channel, _shops, reader, announcer = intake()
    outcome = taker.take("taobao", FakeNotices.body("acct-1", "e1", "T404"))
    assert outcome["outcome"] == "missing" and reader.reads == 1 and announcer.pages == []


def test_a_replay_runs_the_work_once_when_once_says_so():
    taken: set[str] = set()

    def once(system, key, work):
        if key in taken:
            return {"outcome": "refused", "reason": "replayed"}
        taken.add(key)
        return dict(work())

    taker, channel, _shops, reader, _announcer = intake()
    taker.once = once
    channel.put("T1", NOW)
    body = FakeNotices.body("acct-1", "e1", "T1")
    assert taker.take("taobao", body)["outcome"] == "stored"
    assert taker.take("taobao", body)["reason"] == "replayed"
    assert reader.reads == 1
