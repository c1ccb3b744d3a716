"""The alerts the order pull raises, worded for the operations team (pure builders)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from crossdock.core.alerts.message import Alert
from crossdock.core.times import iso_z

if TYPE_CHECKING:
    from crossdock.core.errors import ChannelError
    from crossdock.shops.rules.breaker import HourHealth


def auth_failed(shop: Any, exc: ChannelError, now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"auth:{shop.shop_id}",
        subject=f"Shop {shop.shop_id} ({shop.channel}): authorization failed, order pulls stopped",
        shop_id=shop.shop_id,
        channel=shop.channel,
        since=shop.auth_blocked_at or now,
        what_happened=f"{shop.channel} rejected this shop's credentials ({exc.code or exc.status or 'auth'}).",
        what_we_did="Re-read the credentials once (in case they were rotated), then stopped pulling this shop so "
        "the channel is not hammered with failing calls. Orders are not lost: the checkpoint has not moved and "
        "the next successful pull reads everything since.",
        what_to_do=f"Re-authorize the shop on {shop.channel} and store the new token in its secret "
        f"({shop.secret_name}); then run `crossdock shops resume {shop.shop_id}`. Crossdock also retries on "
        "its own once an hour.",
        details=(str(exc),),
    )


def rejected(shop: Any, exc: ChannelError, now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"rejected:{shop.shop_id}:{exc.code or exc.status}",
        subject=f"Shop {shop.shop_id} ({shop.channel}): the channel rejects our order requests",
        shop_id=shop.shop_id,
        channel=shop.channel,
        since=shop.failing_since or now,
        what_happened="The channel answered that the request is invalid (not a temporary fault).",
        what_we_did="Kept the checkpoint where it was (nothing is skipped) and will try again on the next schedule.",
        what_to_do="Check the shop's options and endpoints with `crossdock status`; forward this alert to "
        "the crossdock developers if the options are right.",
        details=(str(exc),),
    )


def failing(shop: Any, error: str, since: datetime, now: datetime, *, unexpected: bool = False) -> Alert:
    """`error` is already fit for an e-mail (a channel fault's text, or a sanitized reason). One key
    for channel faults and unexpected errors alike: one alert per incident, whatever ends the pulls."""
    if unexpected:
        happened = (
            f"Every pull since {iso_z(since)} failed on an error inside crossdock, not a channel fault."
        )
        did = (
            "Kept the checkpoint (nothing skipped); the queue retries each failed task, then keeps it in "
            "its dead-letter queue."
        )
        to_do = (
            f"If the error names a credential field, store complete credentials with `crossdock shops "
            f"rotate {shop.shop_id} --credentials FILE`; otherwise forward this alert to the crossdock developers."
        )
    else:
        happened = f"Every pull since {iso_z(since)} ended in channel faults after retries."
        did = "Retried with backoff on every call, kept the checkpoint (nothing skipped), kept scheduling pulls."
        to_do = (
            f"Check the {shop.channel} status page and the shop's API access; no action is needed if the "
            "channel reports an outage: crossdock catches up by itself."
        )
    return Alert(
        dedupe_key=f"failing:{shop.shop_id}",
        subject=f"Shop {shop.shop_id} ({shop.channel}): no orders pulled for {int((now - since).total_seconds() // 60)} min",
        shop_id=shop.shop_id,
        channel=shop.channel,
        since=since,
        what_happened=happened,
        what_we_did=did,
        what_to_do=to_do,
        details=(error,),
    )


def breaker_opened(shop: Any, hour: HourHealth, now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"breaker:{shop.shop_id}",
        subject=f"Shop {shop.shop_id} ({shop.channel}): {hour.failure_rate:.0%} of calls failing, hourly pulls",
        shop_id=shop.shop_id,
        channel=shop.channel,
        since=now,
        what_happened=f"{hour.failures} of {hour.calls} calls to {shop.channel} failed in the last hour.",
        what_we_did="Switched this shop to one full-window pull per hour, so it is not hammered while degraded. "
        "It returns to the normal schedule by itself after a pull with no failed call.",
        what_to_do="Nothing, unless this lasts for hours: then check the channel's status and the shop's API quota.",
    )


def breaker_closed(shop: Any, now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"breaker-closed:{shop.shop_id}",
        subject=f"Shop {shop.shop_id} ({shop.channel}): recovered, normal schedule again",
        shop_id=shop.shop_id,
        channel=shop.channel,
        since=shop.breaker_open_since or now,
        what_happened="A degraded-mode pull completed without a single failed call.",
        what_we_did="Returned the shop to the normal pull schedule.",
        what_to_do="Nothing.",
    )


def orders_recovered(shop: Any, day: str, missing: list[str], now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"reconcile:{shop.shop_id}:{day}",
        subject=f"Shop {shop.shop_id} ({shop.channel}): {len(missing)} orders were missing and have been recovered",
        shop_id=shop.shop_id,
        channel=shop.channel,
        since=now,
        what_happened=f"The daily reconciliation of {day} (UTC) found {len(missing)} orders on {shop.channel} "
        "that were missing or older in crossdock.",
        what_we_did="Stored them in their newest state and announced them (order events), so stock and "
        "tracking caught up.",
        what_to_do="Nothing for these orders. If this repeats, tell the crossdock developers: the incremental "
        "pull is missing changes.",
        details=tuple(missing),
    )
