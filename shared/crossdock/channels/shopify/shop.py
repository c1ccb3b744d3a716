"""One Shopify store's Admin GraphQL endpoint, token and API version, and the paced call every
Shopify adapter (orders, stock) sends through.

`POST {api}/admin/api/{version}/graphql.json` with `X-Shopify-Access-Token`; `api` defaults to
`https://{shop_domain}` (shop option `shop_domain`, e.g. mystore.myshopify.com), `version` to 2025-10
(option `api_version`). All of a store's GraphQL calls draw from one cost bucket per app and store,
so every Shopify adapter uses the one rate key `graphql`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import requests

from crossdock.channels.shopify.wire import CHANNEL, graphql_data
from crossdock.core.errors import AuthError, RequestRejectedError

if TYPE_CHECKING:
    from crossdock.channels.spec import ShopContext

T = TypeVar("T")

OPERATION = "graphql"  # Shopify keeps one cost bucket for every Admin GraphQL query of an app and store
DEFAULT_API_VERSION = "2025-10"
ENDPOINTS = {"api": "https://{shop_domain}"}
SHOP_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*\.myshopify\.com")
API_VERSION = re.compile(r"\d{4}-(01|04|07|10)|unstable")


class ShopifyStore:
    """Where and how to reach one store: its GraphQL URL, its token, its API version."""

    def __init__(self, ctx: ShopContext) -> None:
        self.ctx = ctx
        token = ctx.credentials.get("access_token")
        if not token:
            raise AuthError(CHANNEL, "the shop's credentials lack `access_token`")
        self.headers = {"X-Shopify-Access-Token": str(token), "Accept": "application/json"}
        base = api_base(ctx)
        self.version = api_version(ctx)
        self.url = f"{base}/admin/api/{self.version}/graphql.json"

    def query(
        self, document: str, variables: dict[str, Any], cost: int, extract: Callable[[dict[str, Any]], T]
    ) -> T:
        """One GraphQL call reserving `cost` points; `extract` reads `data` inside the call, so a
        malformed answer is retried like any other invalid answer."""
        body = {"query": document, "variables": variables}
        http = self.ctx.http
        bucket = http.bucket(OPERATION)

        def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
            return session.post(self.url, json=body, headers=self.headers, timeout=timeout)

        def parse(response: requests.Response) -> T:
            return extract(graphql_data(response, bucket, lambda points: http.refund(OPERATION, points)))

        return http.call(OPERATION, send, parse, cost=cost)


def api_base(ctx: ShopContext) -> str:
    base = ctx.endpoint("api", ENDPOINTS["api"])
    if "{shop_domain}" not in base:
        return base
    domain = str(ctx.settings.get("shop_domain") or "").strip().lower()
    if not SHOP_DOMAIN.fullmatch(domain):
        raise RequestRejectedError(CHANNEL, f"option shop_domain {domain!r} is not <name>.myshopify.com")
    return base.replace("{shop_domain}", domain)


def api_version(ctx: ShopContext) -> str:
    version = str(ctx.settings.get("api_version") or DEFAULT_API_VERSION)
    if not API_VERSION.fullmatch(version):
        raise RequestRejectedError(CHANNEL, f"option api_version {version!r} is not YYYY-01/04/07/10")
    return version
