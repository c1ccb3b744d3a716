"""Alerts for stock counts that were refused because they cannot be true: one e-mail per refused
adjustment, one digest per shop and FBA read. The refused values are in the details (rendered inert:
SKU names and message bodies come from outside), never in the subject."""

from __future__ import annotations

import hashlib
from datetime import datetime

from crossdock.core.alerts.message import Alert


def adjustment_refused_alert(key: str, reason: str, body: str, now: datetime) -> Alert:
    """`key`: the adjustment's id (or its body's hash), so a redelivery does not alert twice."""
    return Alert(
        dedupe_key=f"stock-adjustment-refused:{key}",
        subject="A stock adjustment was refused: the count is unchanged",
        shop_id="(own warehouses)",
        channel="stock-adjustments queue",
        since=now,
        what_happened="A message on the stock-adjustments queue was refused: it is not a valid adjustment, "
        "its count cannot be true (negative, fractional, not a number, above the ceiling), or its delta "
        "would take the warehouse below zero. The details say which value and why.",
        what_we_did="Left the stock count unchanged and pushed nothing. The message is not retried (a "
        "retry cannot fix it) and does not go to the dead-letter queue.",
        what_to_do="Send a corrected adjustment; a refused one is not remembered, so it may keep its "
        "adjustment_id. When a delta would have gone below zero, count the warehouse and send its "
        "absolute on_hand instead.",
        details=(reason, f"message: {body[:300]}"),
    )


def fba_counts_refused_alert(shop_id: str, channel: str, problems: list[str], now: datetime) -> Alert:
    """One digest per shop; keyed by the refused values, so a new bad value alerts again and the
    same one read again (next hour, next full read) does not."""
    digest = hashlib.sha256("\n".join(sorted(problems)).encode("utf-8", "replace")).hexdigest()[:16]
    return Alert(
        dedupe_key=f"fba-counts-refused:{shop_id}:{digest}",
        subject=f"Shop {shop_id} ({channel}): FBA counts refused for {len(problems)} value(s)",
        shop_id=shop_id,
        channel=channel,
        since=now,
        what_happened=f"{channel} reported FBA inventory counts that cannot be true (negative, not whole "
        "numbers, missing, or above the ceiling) for some SKUs of this shop.",
        what_we_did="Kept those SKUs' FBA counts as they were: nothing stored, nothing pushed, and the "
        "daily full read does not zero them. The shop's other SKUs were synced.",
        what_to_do="Check these SKUs in the channel's FBA inventory. Other channels keep selling from the "
        "last believable count until the channel reports a sane one; if a count above the ceiling is "
        "real, raise CROSSDOCK_STOCK_MAX_UNITS.",
        details=tuple(problems),
    )
