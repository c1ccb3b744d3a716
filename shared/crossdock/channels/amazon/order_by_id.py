"""One order by its id (Orders API 2026-01-01 `getOrder`): what a notification leads to.

`GET {api}/orders/2026-01-01/orders/{orderId}?includedData=BUYER,PROCEEDS,FULFILLMENT,PACKAGES`
answers `{"order": Order}` — the same `Order` object a `searchOrders` page holds, so it goes through
the pull's own normalizer (`normalize.to_order`) with the same datasets (the shop's
`included_data` option, else INCLUDED_DATA). Usage plan 0.5 r/s, burst 30 (the model); paced
through the shop's `ctx.http` like every other SP-API call, judged in responses.py; 404 ("the
resource specified does not exist") → None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from crossdock.channels.amazon.normalize import INCLUDED_DATA, to_order
from crossdock.channels.amazon.responses import GET_ORDER, parse_get_order
from crossdock.channels.amazon.spapi import SpApi

if TYPE_CHECKING:
    import requests

    from crossdock.channels.spec import ShopContext
    from crossdock.orders.rules.order import Order

ORDER_PATH = "/orders/2026-01-01/orders/{order_id}"


def read_order(ctx: ShopContext, order_id: str) -> Order | None:
    """The order as Amazon has it now, normalized as the pull normalizes it (None: no such order)."""
    api = SpApi(ctx)
    included = ",".join(ctx.settings.get("included_data") or INCLUDED_DATA)

    def parse(response: requests.Response) -> object | None:
        return parse_get_order(ctx.http, response)

    path = ORDER_PATH.format(order_id=quote(order_id, safe=""))
    raw = api.call(GET_ORDER, "GET", path, parse, params={"includedData": included})
    return None if raw is None else to_order(raw, shop_id=ctx.shop_id)
