"""The change path's alerts: listings a channel refused, and Amazon feeds that failed twice.

One digest per flush (or planner run) naming every incident — shop, SKU, what the channel shows,
what is sellable, the channel's reason, what was tried, what to do. Its dedupe key is built from
the incidents' own keys (shop + listing + reason), so two different refused listings within the
suppression window are never folded into silence, while the same incident re-met is not re-sent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from crossdock.core.alerts.message import Alert


@dataclass(frozen=True)
class Incident:
    """One listing a person must hear about."""

    shop_key: str
    sku: str
    shown: int | None  # what the channel shows (last accepted); None: never set by crossdock
    sellable: int
    code: str
    reason: str
    tried: str  # what crossdock did
    kind: str  # "review" (permanent refusal) | "retrying" (transient refusals persist) | "stuck"

    @property
    def key(self) -> str:
        return f"{self.shop_key}:{self.sku}:{self.kind}:{self.code or self.reason[:40]}"

    @property
    def over_offered(self) -> bool:
        return self.shown is None or self.shown > self.sellable

    def line(self) -> str:
        channel, _, shop_id = self.shop_key.partition("#")
        shown = "unknown (never set by crossdock)" if self.shown is None else str(self.shown)
        state = (
            "LEFT SHOWING MORE THAN IS SELLABLE" if self.over_offered else "shows no more than is sellable"
        )
        reason = (
            f"{self.code}: {self.reason}"
            if self.code and not self.reason.startswith(self.code)
            else self.reason
        )
        return (
            f"{channel} shop {shop_id}, SKU {self.sku}: shows {shown}, sellable {self.sellable} — {state}. "
            f"Channel's reason: {reason}. Tried: {self.tried}."
        )


def _digest_key(prefix: str, incidents: Sequence[Incident]) -> str:
    digest = hashlib.sha256("\n".join(sorted(i.key for i in incidents)).encode()).hexdigest()[:16]
    return f"{prefix}:{digest}"


def listings_alert(incidents: Sequence[Incident], now: datetime) -> Alert:
    over = sum(1 for i in incidents if i.over_offered)
    shops = sorted({i.shop_key for i in incidents})
    channel, _, shop_id = shops[0].partition("#") if len(shops) == 1 else ("(several)", "", "(several)")
    reviews = [i for i in incidents if i.kind == "review"]
    subject = (
        f"{over} listing(s) left showing more than is sellable"
        if over
        else f"{len(incidents)} listing(s) refused"
    )
    what_to_do = []
    if reviews:
        what_to_do.append(
            "For each listing marked needs_review: fix it on the channel (ids, offer published, SKU stocked "
            "at the location) or in crossdock (`crossdock stock listing show SKU`), then "
            "`crossdock stock listing resume SKU --shop SHOP`; meanwhile set its quantity on the channel by hand "
            "if it shows more than is sellable."
        )
    if len(reviews) < len(incidents):
        what_to_do.append(
            "For listings still retrying: nothing is needed if the channel recovers; if this repeats, check the "
            "channel's status page and set the quantity by hand."
        )
    return Alert(
        dedupe_key=_digest_key("stock-listings", incidents),
        subject=subject,
        shop_id=shop_id,
        channel=channel,
        since=now,
        what_happened=f"Channels refused the quantity crossdock sent for {len(incidents)} listing(s); "
        f"{over} of them are left showing more than is sellable.",
        what_we_did="Permanent refusals: the listing is marked needs_review and pushes to it are stopped. "
        "Transient refusals: retried with backoff, and still retried every 5 minutes. Every attempt is in "
        "`crossdock stock history SKU`.",
        what_to_do=" ".join(what_to_do),
        details=tuple(i.line() for i in incidents),
    )


def feed_failed_alert(shop_key: str, feed_lines: Sequence[str], skus: int, now: datetime) -> Alert:
    channel, _, shop_id = shop_key.partition("#")
    return Alert(
        dedupe_key=f"stock-feed-failed:{shop_key}:{now:%Y-%m-%dT%H}",
        subject=f"Shop {shop_id} ({channel}): stock feed failed twice in a row",
        shop_id=shop_id,
        channel=channel,
        since=now,
        what_happened=f"Amazon processed two consecutive JSON_LISTINGS_FEEDs for this shop as FATAL or "
        f"CANCELLED: {skus} listing quantities were not applied and may show more than is sellable.",
        what_we_did="Submitted a new feed for the same quantities after the first failure (within the feed "
        "rate limit); after the second, kept the listings marked and retry them with backoff.",
        what_to_do="Open the feeds in Seller Central (feed ids below) and read the processing report; a "
        "FATAL feed usually means a malformed document or a seller account problem.",
        details=tuple(feed_lines),
    )
