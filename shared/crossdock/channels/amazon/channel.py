"""Amazon SP-API order source: Orders API 2026-01-01 `searchOrders`, items inline.

Why 2026-01-01 and not v0: v0 `getOrders` (0.0167 r/s) returns orders without items, so every order
costs one more `getOrderItems` call (0.5 r/s): 10,000 changed orders = 100 + 10,000 calls. In
2026-01-01 `orderItems` is a required part of every order in a `searchOrders` page, so the same pull
is 100 calls (100 orders per page) at 0.0056 r/s, burst 20 — and buyer data needs no Restricted Data
Token, only the role (includedData BUYER).

Protocol: `GET {api}/orders/2026-01-01/orders?lastUpdatedAfter=…&lastUpdatedBefore=…&marketplaceIds=…
&maxResultsPerPage=100&includedData=BUYER,PROCEEDS,FULFILLMENT,PACKAGES` with headers
`x-amz-access-token` (LWA, see lwa.py) and `x-amz-date`; next pages repeat the same parameters
plus `paginationToken` = the previous `pagination.nextToken` (valid 24 h) until `pagination` is absent.
`lastUpdatedBefore` must be at least two minutes before now, hence a settle lag of three minutes.
Every answer is judged in responses.py (typed faults, `x-amzn-RateLimit-Limit` pacing).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import requests

from crossdock.channels.amazon import notices, subscriptions
from crossdock.channels.amazon.fba import AmazonFba
from crossdock.channels.amazon.lwa import CREDENTIAL_FIELDS, TOKEN_URL, LwaTokens
from crossdock.channels.amazon.marketplaces import home_zone
from crossdock.channels.amazon.normalize import CHANNEL, INCLUDED_DATA, to_order
from crossdock.channels.amazon.order_by_id import read_order
from crossdock.channels.amazon.responses import GET_ORDER, SEARCH, SearchPage, parse_search
from crossdock.channels.amazon.spapi import SpApi
from crossdock.channels.amazon.stock import AmazonStockWriter
from crossdock.channels.spec import ChannelSpec, PushSpec, ShopContext
from crossdock.core.errors import AuthError, InvalidResponseError, RequestRejectedError
from crossdock.core.ratelimit import Rate
from crossdock.core.times import iso_z
from crossdock.orders.rules.windows import ChannelLimits, Window

if TYPE_CHECKING:
    from crossdock.orders.rules.order import Order

ORDERS_PATH = "/orders/2026-01-01/orders"
PAGE_SIZE = 100
REGIONS = ("na", "eu", "fe")
USER_AGENT = "crossdock/0.1 (Language=Python; Platform=AWS Lambda)"
Send = Callable[[requests.Session, tuple[float, float]], requests.Response]


class AmazonOrders:
    """One seller's orders. Shop settings: `marketplace_ids` (1–50, required), `region` (na/eu/fe,
    default na: the API host unless an "api" endpoint override is set), `included_data` (datasets to
    request; default BUYER, PROCEEDS, FULFILLMENT, PACKAGES — drop BUYER for apps without the role)."""

    def __init__(self, ctx: ShopContext) -> None:
        self.ctx = ctx
        self.http = ctx.http
        access = SpApi(ctx)  # host by region or override, marketplaces, LWA tokens: shared with stock
        self.api, self.lwa, self.marketplace_ids = access.api, access.lwa, access.marketplace_ids
        if len(self.marketplace_ids) > 50:
            raise RequestRejectedError(CHANNEL, "searchOrders takes at most 50 marketplace_ids")
        self.included_data = list(ctx.settings.get("included_data") or INCLUDED_DATA)

    def window_params(self, window: Window) -> dict[str, str]:
        return {
            "lastUpdatedAfter": iso_z(window.start),
            "lastUpdatedBefore": iso_z(window.end),
            "marketplaceIds": ",".join(self.marketplace_ids),
            "maxResultsPerPage": str(PAGE_SIZE),
            "includedData": ",".join(self.included_data),
        }

    def pages(self, window: Window) -> Iterator[list[Order]]:
        params = self.window_params(window)
        token: str | None = None
        used: set[str] = set()
        while True:
            page = self.search(params if token is None else {**params, "paginationToken": token})
            yield [to_order(raw, shop_id=self.ctx.shop_id) for raw in page.orders]
            if page.next_token is None:
                return
            if page.next_token in used:
                raise InvalidResponseError(CHANNEL, f"{SEARCH} handed out the same nextToken twice")
            used.add(token := page.next_token)

    def search(self, params: Mapping[str, str]) -> SearchPage:
        """One page. A 403 on a cached token refreshes it once; a fresh token's 403 is final."""
        while True:
            had_token = self.lwa.cached
            try:
                return self.http.call(SEARCH, self._sender(params, self.lwa.access_token()), self._parse)
            except AuthError:
                self.lwa.invalidate()
                if not had_token:
                    raise

    def _sender(self, params: Mapping[str, str], access_token: str) -> Send:
        def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
            headers = self._headers(access_token)
            return session.get(self.api + ORDERS_PATH, params=params, headers=headers, timeout=timeout)

        return send

    def _parse(self, response: requests.Response) -> SearchPage:
        return parse_search(self.http, response)

    def _headers(self, access_token: str) -> dict[str, str]:
        now = self.ctx.now() if self.ctx.now else datetime.now(UTC)
        return {
            "x-amz-access-token": access_token,
            "x-amz-date": now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
            "user-agent": USER_AGENT,
            "accept": "application/json",
        }


def probe(ctx: ShopContext) -> None:
    """The LWA exchange of the seller's refresh token: LWA checks the client id and secret and the
    seller's grant (revoked or wrong → AuthError) without spending any SP-API quota."""
    LwaTokens(ctx.http, ctx.credentials, token_url=ctx.endpoint("token", TOKEN_URL)).access_token()


SPEC = ChannelSpec(
    name=CHANNEL,
    limits=ChannelLimits(
        max_window=timedelta(days=30),
        settle_lag=timedelta(minutes=3),  # lastUpdatedBefore ≥ 2 min before now, plus a minute of margin
        history=timedelta(days=730),  # "does not display order data that is more than two years old"
        page_size=PAGE_SIZE,
    ),
    rates={
        SEARCH: Rate(0.0056, 20),
        GET_ORDER: Rate(0.5, 30),  # one order by id, for a notification
        **dict.fromkeys(subscriptions.OPERATIONS, subscriptions.NOTIFICATIONS_RATE),
        "token": Rate(1.0, 5),  # LWA publishes none; our own pace
        "createFeedDocument": Rate(0.5, 15),
        "createFeed": Rate(0.0083, 5),  # burst 15, but JSON_LISTINGS_FEED allows 5 feeds / 5 min
        "getFeed": Rate(2.0, 15),
        "getFeedDocument": Rate(0.0222, 10),
        "uploadFeedDocument": Rate(10.0, 10),  # presigned S3 PUT: no SP-API quota; our own pace
        "downloadReport": Rate(10.0, 10),  # presigned S3 GET: likewise
        "patchListingsItem": Rate(5.0, 5),
        "getListingsItem": Rate(5.0, 10),
        "getInventorySummaries": Rate(2.0, 2),
    },
    endpoints={"api": "https://sellingpartnerapi-na.amazon.com", "token": TOKEN_URL},
    credential_fields=CREDENTIAL_FIELDS,
    build=AmazonOrders,
    minimum_calls=lambda changed: max(1, math.ceil(changed / PAGE_SIZE)),
    stock=AmazonStockWriter,
    fba=AmazonFba,
    probe=probe,
    home_zone=home_zone,
    # ORDER_CHANGE notifications to an SQS queue (notices.py, order_by_id.py, subscriptions.py)
    push=PushSpec(
        destination_kind="sqs",
        account=notices.account,
        parse=notices.parse,
        read_order=read_order,
        subscribe=subscriptions.subscribe,
        unsubscribe=subscriptions.unsubscribe,
    ),
)
