"""Fakes for the Amazon stock and FBA unit tests: a shop context on a sleepless ChannelHttp and a
manual clock; SP-API answers come from the `responses` library (no sockets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import responses
from crossdock.channels.amazon.channel import SPEC
from crossdock.channels.amazon.lwa import TOKEN_URL
from crossdock.channels.spec import ShopContext
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.stock.rules.sellable import Listing, QuantityUpdate

API = "https://sellingpartnerapi-na.amazon.com"
SELLER = "A1SELLER0EXMPL"
MARKETPLACE = "ATVPDKIKX0DER"
CREDENTIALS = {
    "client_id": "amzn1.application-oa2-client.abc",
    "client_secret": "s3cret",
    "refresh_token": "Atzr|r1",
}
SETTINGS = {"marketplace_ids": [MARKETPLACE], "seller_id": SELLER}


@dataclass
class ManualClock:
    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def shop_context(attempts: int = 2, **settings: Any) -> ShopContext:
    http = ChannelHttp(
        SPEC.name,
        SPEC.rates,
        sleep=lambda _: None,
        retry=RetryPolicy(max_attempts=attempts, base_delay_s=0.0, max_delay_s=0.0),
    )
    return ShopContext("s1", CREDENTIALS, http, {}, {**SETTINGS, **settings})


def add_token(mock: responses.RequestsMock, token: str = "Atza|t1") -> None:
    body = {"access_token": token, "token_type": "bearer", "expires_in": 3600}
    mock.add(responses.POST, TOKEN_URL, json=body)


def sp_error(code: str, message: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "details": ""}]}


def url_of(call: Any) -> str:
    """The URL a recorded `responses` call was sent to."""
    return str(call.request.url)


def update(sku: str, quantity: int, version: int = 1, **ref: str) -> QuantityUpdate:
    full_ref = {"seller_sku": sku, "marketplace_id": MARKETPLACE, "product_type": "LUGGAGE", **ref}
    return QuantityUpdate(Listing(sku, "amazon", "s1", full_ref), quantity, version)
