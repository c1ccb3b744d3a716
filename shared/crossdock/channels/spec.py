"""The small ports the use cases depend on. A new channel is one module that provides a
`ChannelSpec` plus one line in `registry.py`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crossdock.core.http import ChannelHttp
    from crossdock.core.ratelimit import Rate
    from crossdock.orders.ports import OrderSource
    from crossdock.orders.rules.notices import OrderNotice
    from crossdock.orders.rules.order import Order
    from crossdock.orders.rules.windows import ChannelLimits
    from crossdock.stock.ports import FbaInventory, StockWriter


@dataclass
class ShopContext:
    """What an adapter needs to talk to one shop: its credentials (from Secrets Manager, never
    logged), its endpoints (base URL overrides) and the paced HTTP client."""

    shop_id: str
    credentials: Mapping[str, Any]
    http: ChannelHttp
    endpoints: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)  # channel options, e.g. marketplace ids
    now: Callable[[], datetime] | None = None

    def endpoint(self, name: str, default: str) -> str:
        return self.endpoints.get(name, default).rstrip("/")


@dataclass(frozen=True)
class Destination:
    """Where crossdock takes a channel's notifications in: `kind` "sqs" (an SQS queue ARN, Amazon
    SP-API's ORDER_CHANGE) or "eventbridge" (a partner event source ARN, Shopify)."""

    kind: str
    arn: str


@dataclass(frozen=True)
class PushSpec:
    """A channel that notifies crossdock of order changes (beside the pull, which stays the net).

    `destination_kind` is the Destination kind it delivers to.
    `account` names the channel-side account of a shop from its options (the id its notices carry:
    Amazon `seller_id`, Shopify `shop_domain`); raises ValueError naming the missing option.
    `parse` turns one delivered message body (the SQS record body) into an OrderNotice, or raises
    `InvalidNotice` with its refusal reason; it never calls the channel.
    `read_order` reads one order by its channel id with a shop's context (None: the channel says it
    does not exist), normalized exactly as the pull normalizes it.
    `subscribe` creates what the channel needs to deliver that shop's order notices to `destination`
    and returns what it created (ids), which crossdock records on the shop; `unsubscribe` removes it
    given that record. Both are idempotent: subscribing twice finds the first subscription.
    """

    destination_kind: str
    account: Callable[[Mapping[str, Any]], str]
    parse: Callable[[str], OrderNotice]
    read_order: Callable[[ShopContext, str], Order | None]
    subscribe: Callable[[ShopContext, Destination], dict[str, Any]]
    unsubscribe: Callable[[ShopContext, Mapping[str, Any]], None]


@dataclass(frozen=True)
class ChannelSpec:
    """One channel: its limits, documented rates, default endpoints, and how to build its source.

    `endpoints` maps endpoint names (e.g. "api", "token") to production defaults; a shop may override
    any of them (`crossdock shops add --endpoint api=http://127.0.0.1:9001`).
    `credential_fields` are the keys its Secrets Manager secret must hold.
    `probe` makes the channel's cheapest authenticated call with a shop's context and raises the
    call's `ChannelError` (AuthError for refused credentials): `crossdock shops rotate` checks new
    credentials with it before they replace the live ones.
    `push` is how the channel notifies order changes (None: the pull alone; see PushSpec).
    `home_zone` names the IANA zone of the marketplace a shop's options select (None: the options
    name none); `channels.zones.shop_time_zone` puts a shop's explicit `time_zone` option first.
    """

    name: str
    limits: ChannelLimits
    rates: Mapping[str, Rate]
    endpoints: Mapping[str, str]
    credential_fields: tuple[str, ...]
    build: Callable[[ShopContext], OrderSource]
    minimum_calls: Callable[[int], int]  # fewest order-listing calls for N changed orders (bench)
    probe: Callable[[ShopContext], None]  # the cheapest authenticated call (checks credentials)
    stock: Callable[[ShopContext], StockWriter] | None = None  # channels we push stock to
    fba: Callable[[ShopContext], FbaInventory] | None = None  # channels whose warehouse stock we read
    home_zone: Callable[[Mapping[str, Any]], str | None] = lambda options: None  # shop options → zone
    push: PushSpec | None = None  # channels that notify order changes (Amazon, Shopify)
