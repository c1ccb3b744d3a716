"""Supplier freshness alerts: digests for blocked products and stuck caches, auth failures, and the
platform's call quota used up (one alert; the blocked digest then does not ask for alternates)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.core.alerts.message import Alert
from crossdock.suppliers.rules.sourcing import BLOCKED_LINE, QUOTA, Decision

if TYPE_CHECKING:
    from crossdock.suppliers.storage.sourcing import StaleRun


def _digest_id(parts: Sequence[str]) -> str:
    return hashlib.sha256("|".join(sorted(parts)).encode()).hexdigest()[:16]


def quota_caused(decision: Decision) -> bool:
    """Blocked (at least in part) because a platform's call quota is used up: some candidate was not
    read at all, so the catalog is not what needs fixing."""
    return decision.blocked and any(r.reason == QUOTA for r in decision.rejected)


def blocked_digest(decisions: Sequence[Decision], now: datetime) -> Alert:
    """Products with no fresh supplier. Those blocked by the platform's quota are told apart: adding
    alternates cannot help them (their offers are read through the same quota)."""
    by_quota = [d for d in decisions if quota_caused(d)]
    others = len(decisions) - len(by_quota)
    quota_note = (
        "crossdock could not read their supplier offers: the 1688 app's API call quota is used up "
        "(its own alert says what to do). Nothing to change in the catalog: alternate suppliers are read "
        "through the same quota. They unblock by themselves once it resets; until then do not buy them "
        "against old stock figures."
    )
    if not others:
        what_happened = "No fresh stock data for these products: " + quota_note
        what_to_do = "Do not reorder these until the 1688 quota resets (see the quota alert); nothing else."
        subject = f"{len(decisions)} product(s): do not reorder, 1688 API quota used up"
    else:
        what_happened = (
            "No supplier of these products gave stock data updated within the product's freshness limit "
            "(or with enough stock): stale, missing or future update times, or short stock."
        )
        what_to_do = (
            "Do not buy these against the platform's stock figures: ask the suppliers to confirm stock, "
            "or add a fresh alternate supplier (`crossdock suppliers add`)."
        )
        if by_quota:
            what_to_do += f" Except those marked (quota): {quota_note}"
        subject = f"{len(decisions)} product(s): do not reorder, no fresh supplier data"
    return Alert(
        # the cause is in the key: a product reported as quota-blocked, then blocked for another
        # reason once the quota is back, is a new alert
        dedupe_key=f"suppliers-blocked:{_digest_id([d.sku + ' quota' * quota_caused(d) for d in decisions])}"
        f":{now:%Y-%m-%d}",
        subject=subject,
        shop_id="(purchasing)",
        channel="1688",
        since=min(d.decided_at for d in decisions),
        what_happened=what_happened,
        what_we_did=f'Marked each product "{BLOCKED_LINE}" and keep checking every 15 minutes; a supplier '
        "whose update time failed the gate was read a second time before it was rejected.",
        what_to_do=what_to_do,
        details=tuple(
            ("(quota) " if by_quota and others and quota_caused(d) else "") + d.summary() for d in decisions
        ),
    )


def quota_alert(
    platform: str, app_key: str, api: str, error: Exception, resets_at: datetime | None, since: datetime
) -> Alert:
    """The platform's call quota is used up: one alert per incident (first refusal to first good read)."""
    app = f"app {app_key}" if app_key else "crossdock's app"
    reset = (
        f"It renews daily: expected back at {resets_at:%Y-%m-%d %H:%M} UTC (00:00 China time)."
        if resets_at
        else "It renews daily."
    )
    return Alert(
        dedupe_key=f"suppliers-quota:{platform}:{since:%Y-%m-%dT%H:%M}",
        subject=f"{platform} API quota used up: supplier stock cannot be checked until it resets",
        shop_id="(purchasing)",
        channel=platform,
        since=since,
        what_happened=f"The {platform} open platform refuses every {api} call of {app}: the app's call "
        f"quota for it is used up. {reset}",
        what_we_did=f'Products whose suppliers could not be read are marked "{BLOCKED_LINE}" (their digest '
        "says the quota is the cause: no need for alternates). Checks go on every 15 minutes and the products "
        "unblock by themselves once calls go through again. This alert is not repeated while the quota is out.",
        what_to_do="If the reset is near, wait. If purchasing cannot wait, raise the app's API quota in the "
        f"1688 open platform console (open.1688.com, the app's API/SLA package for {api}). If it runs out "
        "again, check less often (the suppliers-planner schedule, e.g. "
        "`make deploy CONTEXT='-c \"schedule:suppliers-planner=rate(30 minutes)\"'`) or trim alternates.",
        details=(str(error),),
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
