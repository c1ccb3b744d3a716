"""Supplier freshness alerts: digests for blocked products and stuck caches, and auth failures."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from crossdock.alerts.message import Alert
from crossdock.domain.sourcing import BLOCKED_LINE, Decision
from crossdock.storage.sourcing import StaleRun


def _digest_id(parts: Sequence[str]) -> str:
    return hashlib.sha256("|".join(sorted(parts)).encode()).hexdigest()[:16]


def blocked_digest(decisions: Sequence[Decision], now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"suppliers-blocked:{_digest_id([d.sku for d in decisions])}:{now:%Y-%m-%d}",
        subject=f"{len(decisions)} product(s): do not reorder, no fresh supplier data",
        shop_id="(purchasing)",
        channel="1688",
        since=min(d.decided_at for d in decisions),
        what_happened="No supplier of these products gave stock data updated within the product's freshness "
        "limit (or with enough stock): stale, missing or future update times, or short stock.",
        what_we_did=f'Marked each product "{BLOCKED_LINE}" and keep checking every 15 minutes; a supplier '
        "whose update time failed the gate was read a second time before it was rejected.",
        what_to_do="Do not buy these against the platform's stock figures: ask the suppliers to confirm stock, "
        "or add a fresh alternate supplier (`crossdock suppliers add`).",
        details=tuple(d.summary() for d in decisions),
    )


def stuck_digest(runs: Sequence[StaleRun], now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"suppliers-stuck:{_digest_id([r.supplier_key for r in runs])}",
        subject=f"{len(runs)} supplier offer(s) look like a stuck cache",
        shop_id="(purchasing)",
        channel="1688",
        since=min(r.since for r in runs),
        what_happened="These supplier offers have answered with stale stock data for more than 6 hours in a row.",
        what_we_did="Rejected their data every time and used alternates where there were fresh ones.",
        what_to_do="Ask the supplier (or the platform) to refresh the offer, or replace the supplier.",
        details=tuple(f"{r.supplier_key}: stale since {r.since:%Y-%m-%d %H:%M} UTC" for r in runs),
    )


def auth_alert(platform: str, error: Exception, now: datetime) -> Alert:
    return Alert(
        dedupe_key=f"suppliers-auth:{platform}",
        subject=f"{platform} refused crossdock's credentials",
        shop_id="(purchasing)",
        channel=platform,
        since=now,
        what_happened=f"The {platform} open platform rejected the request as unauthenticated or unsigned.",
        what_we_did="Treated the suppliers read through it as unavailable and tried the alternates.",
        what_to_do=f"Renew the app's access token or secret (crossdock suppliers platform {platform}).",
        details=(str(error),),
    )
