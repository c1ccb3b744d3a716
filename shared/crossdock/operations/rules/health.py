"""The overall judgment of a snapshot (pure): ok, attention, or action needed, with the reasons.

Action needed: something is wrong now and stays wrong until a person acts — a shop blocked on its
credentials or failing, a listing refused for good, a channel offering more than is sellable,
messages resting in a dead-letter queue. Attention: worth a look today — a degraded or lagging
shop, stalled or unanswered parcels, a demoted tracking source, products without a fresh supplier,
a dead-letter queue whose depth is unknown.
"""

from __future__ import annotations

from datetime import timedelta

from crossdock.operations.views import Health, Snapshot

OK = "ok"
ATTENTION = "attention"
ACTION_NEEDED = "action needed"
LAG_LIMIT = timedelta(hours=1)  # a checkpoint older than this: the shop's orders are late


def judge(snapshot: Snapshot) -> Health:
    action: list[str] = []
    attention: list[str] = []
    for shop in snapshot.shops:
        if shop.state in ("auth_blocked", "failing"):
            action.append(f"shop {shop.shop_id} is {shop.state.replace('_', ' ')}")
        elif shop.state == "degraded":
            attention.append(f"shop {shop.shop_id} is degraded (breaker open)")
        elif shop.state == "ok" and (shop.lag_seconds or 0) > LAG_LIMIT.total_seconds():
            attention.append(f"shop {shop.shop_id} lags {int((shop.lag_seconds or 0) // 60)} min")
    stock = snapshot.stock
    _count(action, len(stock.needs_review), "listing(s) need review")
    _count(action, len(stock.over_offered), "listing(s) show more than is sellable")
    _count(attention, len(snapshot.tracking.stalled), "parcel(s) stalled")
    _count(attention, len(snapshot.tracking.follow_up), "parcel(s) no source answers")
    _count(
        attention, sum(1 for s in snapshot.tracking.sources if s.demoted_since), "tracking source(s) demoted"
    )
    _count(attention, len(snapshot.blocked), "product(s) without a fresh supplier")
    for queue in snapshot.dead_letters:
        if queue.depth is None:
            attention.append(f"{queue.queue} dead letters unknown")
        elif queue.depth > 0:
            action.append(f"{queue.depth} dead letter(s) on {queue.queue}")
    if action:
        return Health(ACTION_NEEDED, tuple(action + attention))
    if attention:
        return Health(ATTENTION, tuple(attention))
    return Health(OK)


def _count(reasons: list[str], n: int, what: str) -> None:
    if n:
        reasons.append(f"{n} {what}")
