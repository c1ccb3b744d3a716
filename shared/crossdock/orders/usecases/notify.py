"""Take in one channel order notice: find the subscribed shop, read the order by id, store it.

A notice only says *which* order changed. The order is read from the channel's API and stored through
the pull's own write path (`OrderAnnouncer`): newer versions only, each change announced once,
whichever path saw it first. A notice never moves the shop's checkpoint: the pull still reads every
window and the daily reconciliation still proves nothing was lost; a notice only makes a change
arrive sooner.

Refused, with a log line and a metric, nothing stored: a message that is not a well-formed notice,
one naming no subscribed (or a disabled) shop, one already taken in (a replay). A channel fault
while reading the order raises, so the queue delivers the message again and, repeated, dead-letters
it; the pull reads the order anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crossdock.core.inbound import Once, refuse, run_always, taken
from crossdock.core.observability import logger
from crossdock.orders.rules.notices import UNKNOWN_SHOP, InvalidNotice, OrderNotice
from crossdock.orders.storage.orders import Outcome

if TYPE_CHECKING:
    from crossdock.orders.ports import NoticeReader
    from crossdock.orders.usecases.announce import OrderAnnouncer
    from crossdock.shops.storage.shops import ShopRepository


@dataclass
class NoticeIntake:
    shops: ShopRepository
    announcer: OrderAnnouncer
    reader: NoticeReader
    clock: Callable[[], datetime]
    once: Once = run_always
    shop_zone: Callable[[Any], str | None] = lambda shop: None

    def take(self, channel: str, body: str) -> dict[str, Any]:
        """The outcome of one delivered message: {"outcome": "stored" | "unchanged" | "missing" |
        "refused", "reason"?, "shop_id"?, "order_id"?, "events"?, "delay_s"?}."""
        try:
            notice = self.reader.parse(channel, body)
        except InvalidNotice as exc:
            return refuse(channel, exc.reason, str(exc))
        shop = self.shops.by_push_key(notice.push_key)
        if shop is None or not shop.enabled:
            state = "is disabled" if shop is not None else "is subscribed"
            detail = f"no shop with {channel} account {notice.account!r} {state}"
            return refuse(channel, UNKNOWN_SHOP, detail, order_id=notice.order_id, event_id=notice.event_id)
        return self.once(channel, notice.event_id, lambda: self._take(shop, notice))

    def _take(self, shop: Any, notice: OrderNotice) -> Mapping[str, Any]:
        base = {"shop_id": shop.shop_id, "order_id": notice.order_id, "event_id": notice.event_id}
        order = self.reader.read_order(shop, notice.order_id)
        if order is None:
            # The channel notified an order it does not return (deleted, or not visible to this
            # app's scopes): nothing to store; the pull would not find it either.
            logger.warning("notified order not found at the channel", extra={**base, "topic": notice.topic})
            return {"outcome": "missing", **base}
        announced = self.announcer.store([order], zone=self.shop_zone(shop))
        now = self.clock()
        self.shops.record_notice(shop.shop_id, now)
        taken(notice.channel)
        fresh = any(s.outcome in (Outcome.NEW, Outcome.UPDATED) for s in announced.stored)
        outcome = {"outcome": "stored" if fresh else "unchanged", "events": announced.events, **base}
        if notice.occurred_at is not None:
            outcome["delay_s"] = round((now - notice.occurred_at).total_seconds(), 3)
        logger.info("order notice taken in", extra={**outcome, "topic": notice.topic})
        return outcome
