"""Shopify stock writer: absolute `available` quantities by `inventorySetQuantities`, compare-and-set
against the value Shopify last accepted from us; read-back by `inventoryItem { inventoryLevel }`.

One call carries up to 250 quantities (`max_batch`), costs 10 points and draws from the store's one
GraphQL cost bucket (rate key `graphql`, shared with the order pull; THROTTLED is waited out as there).
Each update's `Listing.ref` holds {inventory_item_id, location_id} (Shopify gids); its
`last_accepted` is the compare value (`stock_wire.py` for the input per API version).

Outcomes. No userErrors: every item accepted. Otherwise nothing of the call is taken as applied: items
named by `field` get theirs from `stock_wire.py.ITEM_OUTCOMES` (…_QUANTITY_STALE → stale;
INVALID_*, ITEM_NOT_STOCKED_AT_LOCATION, NON_MUTABLE_INVENTORY_ITEM and unknown codes → rejected;
IDEMPOTENCY_CONCURRENT_REQUEST → failed, retried by the caller), each with Shopify's code and
"code: message", and the others are sent again; errors naming no item are isolated by bisection
(halves sent again until one item is left). Stale items are read back for `observed`; one that already shows the pushed quantity (an order
took the same units we did, or Shopify applied it before answering) is accepted. Which updates go in
which call: `stock_plan.py`. A fault of the first call raises; once part of the push has outcomes, a later fault (other than auth) marks what is left
"failed", so the outcomes already known are not lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from crossdock.channels.shopify.levels import READ_BATCH, available_quantities, levels_query
from crossdock.channels.shopify.shop import ShopifyStore
from crossdock.channels.shopify.stock_plan import REF_FIELDS, Pending, batches, sendable
from crossdock.channels.shopify.stock_wire import (
    MAX_QUANTITIES,
    SET_COST,
    PreviousAttemptFailed,
    UserError,
    idempotency_key,
    item_outcome,
    reference_uri,
    set_document,
    set_input,
    user_errors,
    uses_change_from,
)
from crossdock.core.errors import AuthError, CallDeferred, ChannelError
from crossdock.stock.rules.sellable import Listing, PushOutcome, QuantityUpdate

if TYPE_CHECKING:
    from crossdock.channels.spec import ShopContext

KEY_GENERATIONS = 3  # fresh keys tried after IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED


class ShopifyStockWriter:
    """Sets one store's `available` quantities. Options: shop_domain, api_version."""

    max_batch = MAX_QUANTITIES

    def __init__(self, ctx: ShopContext) -> None:
        self.ctx = ctx
        self.store = ShopifyStore(ctx)
        self.change_from = uses_change_from(self.store.version)
        self.document = set_document(self.store.version)

    # -- push ----------------------------------------------------------------------------------------
    def push(self, updates: Sequence[QuantityUpdate]) -> list[PushOutcome]:
        outcomes: dict[int, PushOutcome] = {}
        pending = sendable(updates, outcomes)
        decided_locally = set(outcomes)
        reference = reference_uri(updates)
        try:
            for batch in batches(pending, legacy=not self.change_from):
                self._settle(batch, reference, outcomes)
        except AuthError:
            raise
        except (ChannelError, CallDeferred) as fault:
            if set(outcomes) == decided_locally:
                raise
            for position, update in pending:
                outcomes.setdefault(position, PushOutcome(update, "failed", str(fault)))
        self._observe({p: o for p, o in outcomes.items() if p not in decided_locally}, outcomes)
        return [outcomes[position] for position in range(len(updates))]

    def _settle(self, batch: list[Pending], reference: str, outcomes: dict[int, PushOutcome]) -> None:
        """Send until every update of the batch has its outcome."""
        while batch:
            errors = self._send([update for _, update in batch], reference)
            if not errors:
                for position, update in batch:
                    outcomes[position] = PushOutcome(update, "accepted")
                return
            named = {error.index: error for error in errors if error.index is not None}
            for index, error in named.items():
                position, update = batch[index]
                outcomes[position] = _refused(update, error)
            rest = [pending for index, pending in enumerate(batch) if index not in named]
            unnamed = [error for error in errors if error.index is None]
            if unnamed and not named:
                if len(rest) == 1:
                    outcomes[rest[0][0]] = _refused(rest[0][1], unnamed[0])
                    return
                half = len(rest) // 2
                self._settle(rest[:half], reference, outcomes)
                batch = rest[half:]
                continue
            batch = rest

    def _send(self, updates: list[QuantityUpdate], reference: str) -> list[UserError]:
        wire_input = set_input(updates, self.store.version, reference)
        variables: dict[str, Any] = {"input": wire_input}
        generation = 0
        while True:
            if self.change_from:
                variables["key"] = idempotency_key(self.ctx.shop_id, wire_input, generation)
            try:
                return self.store.query(
                    self.document, variables, SET_COST, lambda data: user_errors(data, len(updates))
                )
            except PreviousAttemptFailed:
                generation += 1
                if not self.change_from or generation == KEY_GENERATIONS:
                    raise

    def _observe(self, answered: dict[int, PushOutcome], outcomes: dict[int, PushOutcome]) -> None:
        """Stale answers get the quantity Shopify shows now; one already showing ours is accepted."""
        stale = {p: o for p, o in answered.items() if o.status == "stale"}
        if not stale:
            return
        try:
            shown = self.read([outcome.update.listing for outcome in stale.values()])
        except (ChannelError, CallDeferred):
            return  # `observed` stays unknown; the outcome is still stale
        for position, outcome in stale.items():
            observed = shown.get(outcome.update.listing.key)
            if observed == outcome.update.quantity:
                outcomes[position] = PushOutcome(outcome.update, "accepted", "Shopify already showed it")
            else:
                outcomes[position] = PushOutcome(outcome.update, "stale", outcome.detail, observed)

    # -- read ----------------------------------------------------------------------------------------
    def read(self, listings: Sequence[Listing]) -> dict[str, int]:
        """`Listing.key` → available quantity; a listing Shopify does not know at its location (or
        without ids) is left out, so a read-back sees it as missing rather than as 0."""
        readable = [listing for listing in listings if all(listing.ref.get(name) for name in REF_FIELDS)]
        shown: dict[str, int] = {}
        for start in range(0, len(readable), READ_BATCH):
            chunk = readable[start : start + READ_BATCH]
            document, variables, cost = levels_query([listing.ref for listing in chunk])
            quantities = self.store.query(
                document, variables, cost, partial(available_quantities, count=len(chunk))
            )
            for listing, quantity in zip(chunk, quantities, strict=True):
                if quantity is not None:
                    shown[listing.key] = quantity
        return shown


def _refused(update: QuantityUpdate, error: UserError) -> PushOutcome:
    detail = f"{error.code}: {error.message}" if error.code else error.message
    return PushOutcome(update, item_outcome(error.code), detail, code=error.code or "")
