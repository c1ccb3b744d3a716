"""Each channel's credential probe against its sandbox over HTTP: one cheap authenticated call that
passes with valid credentials and raises AuthError with revoked ones (what `crossdock shops rotate`
relies on before it replaces a live secret)."""

from __future__ import annotations

import pytest
from crossdock.channels.registry import channel
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import AuthError
from crossdock.core.http import ChannelHttp
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.ebay.server import EbaySandbox
from crossdock_local.sandboxes.orderbook import OrderBook
from crossdock_local.sandboxes.shopify.server import ShopifySandbox
from crossdock_local.sandboxes.taobao.render import TID_FORMAT
from crossdock_local.sandboxes.taobao.server import TaobaoSandbox

CASES = {
    "taobao": (TaobaoSandbox, OrderBook("probe-tb", "CNY", id_format=TID_FORMAT)),
    "amazon": (AmazonSandbox, OrderBook("probe-amz", "USD")),
    "shopify": (ShopifySandbox, OrderBook("probe-shopify", "GBP")),
    "ebay": (EbaySandbox, OrderBook("probe-ebay", "USD")),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_probe_makes_one_authenticated_call_and_refuses_revoked_credentials(name: str) -> None:
    # Given a shop registered on the channel's sandbox
    sandbox_type, book = CASES[name]
    spec = channel(name)
    assert spec.probe is not None
    with sandbox_type(rate_scale=200) as sandbox:
        shop = sandbox.add_shop(book.shop, book)

        def context() -> ShopContext:
            http = ChannelHttp(spec.name, spec.rates, rate_scale=200)
            return ShopContext(book.shop, shop.credentials, http, shop.endpoints, shop.options)

        # When its credentials are probed, then again after the seller revoked them
        valid = context()
        spec.probe(valid)
        sandbox.revoke(book.shop)
        revoked = context()
        with pytest.raises(AuthError):
            spec.probe(revoked)

    # Then the valid probe cost exactly one call, and the revoked one was not retried
    assert valid.http.stats.total_calls == 1
    assert revoked.http.stats.total_calls == 1
