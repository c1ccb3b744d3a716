"""What in a stored order is personal, and what an erased order keeps (pure).

A platform tells crossdock that one of its users closed their account (eBay's Marketplace Account
Deletion notification); crossdock then erases that buyer from every order it stored: the buyer's
name and note are blanked and the personal parts of the raw payload are replaced by `REDACTED`.
What stays is what the business needs and names nobody: ids, dates, statuses, lines, amounts,
tracking numbers.

The personal parts of a raw payload, per channel, are paths: `a.b` is a key inside a key, `a[].b`
that key in every element of a list. eBay (Sell Fulfillment `Order`, model v1.19.2 plus the newer
`buyer.buyerRegistrationAddress`): `buyer` (username, tax address, tax id, registration name and
address), `buyerCheckoutNotes`, each fulfillment instruction's ship-to contact (name, company,
e-mail, phone, address) and final destination address, and each line's gift details (sender name,
recipient e-mail, message). A channel without rules here loses its whole raw payload.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from crossdock.orders.rules.order import Order

REDACTED = "[erased]"

PERSONAL_PATHS: Mapping[str, tuple[str, ...]] = {
    "ebay": (
        "buyer",
        "buyerCheckoutNotes",
        "fulfillmentStartInstructions[].shippingStep.shipTo",
        "fulfillmentStartInstructions[].finalDestinationAddress",
        "lineItems[].giftDetails",
    ),
}


def buyer_ref(channel: str, buyer_id: str) -> str:
    """The key a buyer's orders are found by: `ebay#jane_doe`. eBay user names are case-insensitive."""
    return f"{channel}#{buyer_id.strip().lower()}"


def redact_raw(channel: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """`raw` with every personal part replaced by REDACTED (a new dict; `raw` is not changed). An
    absent part stays absent: nothing is added that the channel did not send."""
    paths = PERSONAL_PATHS.get(channel)
    if paths is None:
        return {"erased": REDACTED}
    redacted = _copy(raw)
    for path in paths:
        _redact(redacted, path.split("."))
    return redacted


def erased(order: Order) -> Order:
    """The order without its buyer: what a version of an erased order is stored as."""
    return replace(order, buyer_name="", buyer_note="", buyer_id="", raw=redact_raw(order.channel, order.raw))


def erased_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """An order event still in the outbox, without the buyer's note (the one personal field the
    order-event contract carries, `orders.rules.events`)."""
    return {**event, "buyer_note": ""} if event.get("buyer_note") else dict(event)


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _redact(node: Any, steps: list[str]) -> None:
    step, rest = steps[0], steps[1:]
    each = step.endswith("[]")
    key = step.removesuffix("[]")
    if not isinstance(node, dict) or key not in node:
        return
    if each:
        for element in node[key] if isinstance(node[key], list) else ():
            if rest:
                _redact(element, rest)
        return
    if rest:
        _redact(node[key], rest)
    elif node[key] not in (None, "", {}, []):
        node[key] = REDACTED


def username_digest(username: str) -> str:
    """SHA-256 (hex) of the user name as the platform sent it: the record can prove which account a
    request named to whoever knows the name, without keeping the name itself."""
    return hashlib.sha256(username.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ErasureRequest:
    """A platform's request to erase one of its users (verified before it is built).

    `request_id` is the platform's id of the notification (eBay `notificationId`): a second
    delivery with the same id is a replay. `user_id` is the platform's opaque id of the account
    (eBay `userId`), `username` its user name (eBay `username`); orders name their buyer by either.
    """

    platform: str
    request_id: str
    user_id: str
    username: str
    event_date: datetime | None = None
    attempt: int = 1

    def buyer_refs(self) -> tuple[str, ...]:
        """Every key the user's orders may be stored under (eBay is replacing user names with
        immutable user ids in its APIs: an order may name the buyer by either)."""
        ids = (self.username, self.user_id)
        return tuple(dict.fromkeys(buyer_ref(self.platform, i) for i in ids if i.strip()))
