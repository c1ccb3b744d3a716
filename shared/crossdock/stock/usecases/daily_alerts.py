"""The daily stock check's two digest alerts (one e-mail each per day, however many lines)."""

from __future__ import annotations

from datetime import datetime

from crossdock.core.alerts.message import Alert


def drift_alert(lines: list[str], now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"stock-drift:{now:%Y-%m-%d}",
        subject=f"{len(lines)} listing(s) do not show the quantity their channel accepted",
        shop_id="(several)",
        channel="(several)",
        since=now,
        what_happened="The daily read-back found listings whose channel accepted a quantity from crossdock "
        "but shows another one — on two days running, or by more than the alert threshold.",
        what_we_did="Pushed these SKUs again; the push history (`crossdock stock history SKU`) shows each "
        "accepted quantity.",
        what_to_do="Check each listing on the channel: another app or a person may be setting its "
        "quantity, or the channel accepts updates it does not apply.",
        details=tuple(lines),
    )


def sold_shipped_alert(lines: list[str], now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"sold-vs-shipped:{now:%Y-%m-%d}",
        subject=f"{len(lines)} SKU(s) sold more than they shipped in 7 days",
        shop_id="(several)",
        channel="(several)",
        since=now,
        what_happened="Over the order lines of the last 7 days, these SKUs have more units sold (not "
        "cancelled or refunded) than shipped, above the tolerance.",
        what_we_did="Nothing: the unshipped units stay reserved, so they are not sold again.",
        what_to_do="Look for orders stuck unshipped or oversold (`crossdock stock history SKU`), and ship "
        "or cancel them.",
        details=tuple(lines),
    )
