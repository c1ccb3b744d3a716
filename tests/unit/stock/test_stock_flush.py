"""The change path: changes mark listings, one flush per shop drains them in the channel's largest
batches, transient refusals are retried with backoff, permanent ones go to review, all alerted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock.core.errors import RetriesExhaustedError, RetryableError
from crossdock.stock.rules.sellable import PushOutcome
from crossdock.stock.storage.stock import StockRepository
from crossdock.stock.storage.tables import ListingModel
from crossdock.stock.usecases.flush import FlushDeferred, FlushPolicy, StockFlush
from crossdock.stock.usecases.marks import StockChange, StockMarker
from crossdock.stock.usecases.push import StockPusher

from tests.support.aws import moto_resources
from tests.support.stock_fakes import Alerts

START = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)


class Channel:
    """A channel's bulk writer: refuses scripted SKUs for good or a number of times, fails whole feeds."""

    def __init__(self, max_batch: int = 250) -> None:
        self.max_batch = max_batch
        self.shown: dict[str, int] = {}
        self.calls: list[list[str]] = []
        self.permanent: dict[str, str] = {}  # sku → code
        self.transient: dict[str, int] = {}  # sku → refusals left
        self.fatal_feeds = 0
        self.error: Exception | None = None

    def push(self, updates):
        if self.error is not None:
            raise self.error
        self.calls.append([u.listing.sku for u in updates])
        if self.fatal_feeds:
            self.fatal_feeds -= 1
            detail = f"feed F{len(self.calls)} FATAL: messagesProcessed 0, errors 1"
            return [PushOutcome(u, "failed", detail, code="FATAL") for u in updates]
        out = []
        for u in updates:
            sku = u.listing.sku
            if sku in self.permanent:
                out.append(
                    PushOutcome(u, "rejected", "This Offer is not available", code=self.permanent[sku])
                )
            elif self.transient.get(sku, 0) > 0:
                self.transient[sku] -= 1
                out.append(PushOutcome(u, "failed", "A system error has occurred", code="25001"))
            else:
                self.shown[sku] = u.quantity
                out.append(PushOutcome(u, "accepted"))
        return out

    def read(self, listings):
        return {li.key: self.shown[li.sku] for li in listings if li.sku in self.shown}


class Writers:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel

    def writer(self, shop_key: str) -> Channel:
        return self.channel


@pytest.fixture
def env():
    with moto_resources() as settings:
        clock = Clock()
        stock = StockRepository(settings)
        channel = Channel()
        alerts = Alerts()
        pusher = StockPusher(stock, Writers(channel), alerts, clock)
        flush = StockFlush(
            stock, pusher, alerts, clock, clock.sleep, policy=FlushPolicy(settle_s=3, retry_base_s=5)
        )
        yield stock, channel, flush, StockMarker(stock, clock), clock, alerts


def list_skus(stock: StockRepository, skus, on_hand=100, shop_key="ebay#de", shown=None):
    channel, _, shop_id = shop_key.partition("#")
    changes = []
    for sku in skus:
        item = stock.change_sku(sku, lambda item: item.on_hand.update({"own:sz": on_hand}) or True, now=START)
        ListingModel(sku, shop_key, channel=channel, shop_id=shop_id, ref={}, last_quantity=shown).save()
        changes.append(StockChange(sku, int(item.version)))
    return changes


def mark_all(marker: StockMarker, changes) -> set[str]:
    for change in changes:
        marker.mark(change)
    shops, marker.report.shops = marker.report.shops, set()
    return shops


def test_a_burst_of_changes_goes_out_in_the_channels_largest_batches(env):
    # Given 600 changed SKUs marked ten at a time, as the FIFO queue hands them over
    stock, channel, flush, marker, _, _ = env
    changes = list_skus(stock, [f"S{n:03d}" for n in range(600)])
    shops = set()
    for start in range(0, 600, 10):
        shops |= mark_all(marker, changes[start : start + 10])
    # When the shop's flush runs
    report = flush.flush("ebay#de")
    # Then three calls of at most 250 carried all 600, and no mark is left
    assert shops == {"ebay#de"} and [len(c) for c in channel.calls] == [250, 250, 100]
    assert report.push.pushed == 600 and stock.dirty("ebay#de") == []
    assert channel.shown["S000"] == 95


def test_the_flush_waits_until_the_burst_stopped_being_marked(env):
    # Given a mark made just now
    stock, _, flush, marker, clock, _ = env
    mark_all(marker, list_skus(stock, ["A"]))
    # When the flush runs at once
    report = flush.flush("ebay#de")
    # Then it waited the settle time first (3 s of quiet), then pushed
    assert clock.slept[0] == 3 and report.settled_s == 3 and report.push.pushed == 1


def test_a_mark_is_cleared_only_for_the_version_pushed(env):
    # Given A marked at version 1, then changed again to version 2 (marked) while the flush computed
    stock, channel, flush, marker, _, _ = env
    [change] = list_skus(stock, ["A"])
    marker.mark(change)
    listing = ListingModel.get("A", "ebay#de")
    stock.change_sku("A", lambda item: item.on_hand.update({"own:sz": 50}) or True, now=START)
    marker.mark(StockChange("A", 2))
    # When version 1's acceptance is recorded
    assert stock.accept(listing, quantity=95, version=1, status="accepted", detail="", now=START)
    # Then the listing is still marked for version 2, and the next flush sends version 2's quantity
    assert ListingModel.get("A", "ebay#de").dirty_version == 2
    flush.flush("ebay#de")
    assert channel.shown["A"] == 47 and stock.dirty("ebay#de") == []


def test_a_transient_refusal_is_retried_with_backoff_within_the_flush(env):
    # Given a channel that refuses A twice with a system error
    stock, channel, flush, marker, clock, alerts = env
    mark_all(marker, list_skus(stock, ["A", "B"], shown=120))
    channel.transient["A"] = 2
    # When the shop's flush runs
    report = flush.flush("ebay#de")
    # Then A went again after 5 s, then 10 s, alone, and was accepted; nobody was alerted
    assert channel.calls == [["A", "B"], ["A"], ["A"]]
    assert clock.slept[1:] == [5, 10] and report.retried == 2
    assert channel.shown == {"A": 95, "B": 95} and alerts.sent == [] and stock.dirty("ebay#de") == []
    assert [h.result for h in stock.history("A")] == ["accepted", "failed", "failed"]


def test_refusals_that_persist_are_alerted_once_and_left_to_the_planner(env):
    # Given a channel that keeps refusing A transiently; A shows 120 while 95 is sellable
    stock, channel, flush, marker, _, alerts = env
    mark_all(marker, list_skus(stock, ["A"], shown=120))
    channel.transient["A"] = 99
    # When the flush runs
    flush.flush("ebay#de")
    # Then A was pushed max_attempts times, is still marked for a later retry, and one alert says so
    listing = ListingModel.get("A", "ebay#de")
    assert len(channel.calls) == 5 and listing.dirty_version == 1 and listing.retry_at is not None
    [alert] = alerts.sent
    assert "left showing more than is sellable" in alert.subject
    assert "SKU A: shows 120, sellable 95 — LEFT SHOWING MORE THAN IS SELLABLE" in alert.details[0]
    assert "25001" in alert.details[0] and "5 pushes with backoff" in alert.details[0]


def test_a_permanent_refusal_goes_to_review_with_the_channels_reason_and_is_alerted(env):
    # Given a channel that does not know B's offer
    stock, channel, flush, marker, _, alerts = env
    mark_all(marker, list_skus(stock, ["A", "B"], shown=120))
    channel.permanent["B"] = "25713"
    # When the flush runs
    flush.flush("ebay#de")
    # Then B needs review (code and text kept), is not retried, and the alert says what to do
    listing = ListingModel.get("B", "ebay#de")
    assert listing.needs_review and listing.review_code == "25713" and listing.dirty_version is None
    assert channel.calls == [["A", "B"]]
    [alert] = alerts.sent
    assert "25713: This Offer is not available" in alert.details[0]
    assert "crossdock stock listing resume" in alert.what_to_do
    # And a later change of B marks nothing until a person resumes it
    marker.mark(StockChange("B", 5))
    assert marker.report.under_review == 1 and stock.dirty("ebay#de") == []


def test_two_refused_listings_in_one_hour_are_never_folded_into_silence(env):
    # Given B refused in one flush and C in a later one within the hour
    stock, channel, flush, marker, clock, alerts = env
    channel.permanent = {"B": "25713", "C": "25702"}
    mark_all(marker, list_skus(stock, ["B"]))
    flush.flush("ebay#de")
    clock.now += timedelta(minutes=10)
    mark_all(marker, list_skus(stock, ["C"]))
    flush.flush("ebay#de")
    # Then each incident reached a person, under its own key
    assert len(alerts.sent) == 2 and alerts.sent[0].dedupe_key != alerts.sent[1].dedupe_key
    assert "SKU B" in alerts.sent[0].details[0] and "SKU C" in alerts.sent[1].details[0]


def test_a_fatal_feed_is_sent_again_and_a_second_one_alerts_with_the_feed_ids(env):
    # Given Amazon ends the next two feeds FATAL
    stock, channel, flush, marker, _, alerts = env
    mark_all(marker, list_skus(stock, ["A", "B"], shown=120, shop_key="ebay#de"))
    channel.fatal_feeds = 2
    # When the flush runs
    flush.flush("ebay#de")
    # Then a new feed followed the first FATAL at once, the second FATAL alerted with both feed ids,
    # and the third (after backoff) went through
    assert channel.calls == [["A", "B"], ["A", "B"], ["A", "B"]]
    feed_alert = next(a for a in alerts.sent if "feed failed twice" in a.subject)
    assert "feed F1 FATAL" in feed_alert.details[0] and "feed F2 FATAL" in feed_alert.details[1]
    assert channel.shown == {"A": 95, "B": 95}


def test_one_fatal_feed_then_a_good_one_alerts_nobody(env):
    stock, channel, flush, marker, _clock, alerts = env
    mark_all(marker, list_skus(stock, ["A"]))
    channel.fatal_feeds = 1
    flush.flush("ebay#de")
    assert len(channel.calls) == 2 and alerts.sent == [] and channel.shown == {"A": 95}


def test_a_whole_call_failure_keeps_the_marks_and_defers_the_flush(env):
    # Given a channel down for the whole call
    stock, channel, flush, marker, _, _ = env
    mark_all(marker, list_skus(stock, ["A"]))
    channel.error = RetriesExhaustedError("ebay", RetryableError("ebay", "HTTP 503"), 5)
    # When the flush runs, it is deferred (the task is redelivered) and nothing is dropped
    with pytest.raises(FlushDeferred):
        flush.flush("ebay#de")
    assert [li.sku for li in stock.dirty("ebay#de")] == ["A"]
    channel.error = None
    flush.flush("ebay#de")
    assert channel.shown == {"A": 95} and stock.dirty("ebay#de") == []


def test_nothing_is_sent_for_a_mark_whose_version_the_channel_already_accepted(env):
    stock, channel, flush, marker, _, _ = env
    [change] = list_skus(stock, ["A"])
    marker.mark(change)
    listing = ListingModel.get("A", "ebay#de")
    listing.update(actions=[ListingModel.last_quantity.set(95), ListingModel.last_version.set(1)])
    report = flush.flush("ebay#de")
    assert channel.calls == [] and report.push.unchanged == 1 and stock.dirty("ebay#de") == []


def test_a_mark_is_sent_again_when_only_an_older_version_recorded_that_quantity(env):
    # Given A recorded as showing 95 (version 0's push), marked for version 1, which also sells 95 —
    # a push of another quantity may have reached the channel unrecorded (a crash in between)
    stock, channel, flush, marker, _, _ = env
    mark_all(marker, list_skus(stock, ["A"], shown=95))
    # When the flush runs
    flush.flush("ebay#de")
    # Then 95 is sent again rather than assumed
    assert channel.calls == [["A"]] and channel.shown == {"A": 95}


def test_a_redelivered_change_marks_nothing_twice_but_names_its_shop(env):
    stock, _, flush, marker, _, _ = env
    [change] = list_skus(stock, ["A"])
    marker.mark(change)
    marker.mark(change)
    assert (marker.report.marked, marker.report.already, marker.report.shops) == (1, 1, {"ebay#de"})
    flush.flush("ebay#de")
    marker.report.shops = set()
    marker.mark(change)  # pushed already: no mark, no flush
    assert marker.report.shops == set() and stock.dirty("ebay#de") == []


@pytest.mark.parametrize(
    "body",
    [
        [],
        {"sku": ""},
        {"sku": "A", "version": 0},
        {"sku": "A", "version": "3"},
        {"skus": []},
        {"other": 1},
        {"changes": []},
        {"changes": [{"sku": "A", "version": 1}, "B"]},
        {"changes": [{"sku": "A", "version": True}]},
    ],
)
def test_malformed_changes_are_refused_with_a_reason(body):
    with pytest.raises(ValueError):
        StockChange.parse(body)


def test_a_burst_is_announced_a_hundred_skus_to_a_message_and_read_back_whole(env):
    # Given 250 changed SKUs announced on the stock-changes FIFO queue
    import json

    import boto3
    from crossdock.core.config import settings
    from crossdock.stock.queues import StockChangeQueue

    url = settings().stock_changes_queue_url
    sent = StockChangeQueue(url).announce(
        [{"sku": f"S{n}", "version": n + 1, "trigger": "import"} for n in range(250)]
    )
    # When the queue is read
    sqs = boto3.client("sqs", region_name="us-east-1")
    bodies = []
    while found := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        bodies += [json.loads(m["Body"]) for m in found]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(found)],
        )
    # Then three messages carry all 250, each change parsed with its own version
    changes = [change for body in bodies for change in StockChange.parse(body)]
    assert sent == 250 and len(bodies) == 3 and bodies[0]["trigger"] == "import"
    assert sorted((c.sku, c.version) for c in changes) == sorted((f"S{n}", n + 1) for n in range(250))
