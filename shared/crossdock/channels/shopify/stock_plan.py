"""Which updates of a push go on the wire, and in which calls (pure).

One update per listing: two updates of the same (inventory item, location) in one call would be
refused (NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR), so the highest version is sent and the other
is stale, "superseded". A listing without both Shopify ids is rejected before any call. Calls carry at
most 250 quantities; before 2026-01 `ignoreCompareQuantity` holds for a whole call, so listings never
pushed (nothing to compare with) travel in calls of their own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from crossdock.channels.shopify.stock_wire import MAX_QUANTITIES
from crossdock.stock.rules.sellable import PushOutcome, QuantityUpdate

REF_FIELDS = ("inventory_item_id", "location_id")

Pending = tuple[int, QuantityUpdate]  # (position in the push, update)


def sendable(updates: Sequence[QuantityUpdate], outcomes: dict[int, PushOutcome]) -> list[Pending]:
    """Updates that can go on the wire, in push order; `outcomes` gets those decided here."""
    latest: dict[tuple[str, str], Pending] = {}
    for position, update in enumerate(updates):
        ref = update.listing.ref
        missing = [name for name in REF_FIELDS if not ref.get(name)]
        if missing:
            outcomes[position] = PushOutcome(update, "rejected", f"listing ref lacks {', '.join(missing)}")
            continue
        pair = (ref["inventory_item_id"], ref["location_id"])
        candidate, kept = (position, update), latest.get(pair)
        if kept is not None:
            newer, older = (kept, candidate) if kept[1].version > update.version else (candidate, kept)
            detail = f"superseded by version {newer[1].version} of the same push"
            outcomes[older[0]] = PushOutcome(older[1], "stale", detail)
            candidate = newer
        latest[pair] = candidate
    return sorted(latest.values(), key=lambda pending: pending[0])


def batches(pending: list[Pending], *, legacy: bool) -> Iterator[list[Pending]]:
    """Calls of ≤ 250; with `legacy` (≤ 2025-10) listings with and without a compare value apart."""
    groups = [pending]
    if legacy:
        groups = [
            [p for p in pending if p[1].listing.last_accepted is not None],
            [p for p in pending if p[1].listing.last_accepted is None],
        ]
    for group in groups:
        for start in range(0, len(group), MAX_QUANTITIES):
            yield group[start : start + MAX_QUANTITIES]
