"""1688 as a supplier source: `alibaba.product.get`, one signed call per offer (api-contracts §5.3).

What an offer reads as, and why:
- Stock: the mapped SKU's `skuInfos[].amountOnSale` (the catalog's SKU id matched against `skuId`,
  then `specId`); with no SKU mapped, the offer's `saleInfo.amountOnSale` (a Double, floored). A
  mapped SKU the offer no longer lists reads as stock and price None, never as the offer's total:
  that would buy a variant that is gone.
- Price: the SKU's `price` when positive, else the lowest `saleInfo.priceRanges[].price`; a Decimal
  from the number's text, never float arithmetic.
- Update time: `lastUpdateTime` beside `productInfo` (where the SDK's result class puts it) or inside
  it (UNCONFIRMED which), passed on exactly as given (text, or epoch ms as an int) for the freshness
  gate to parse; absent or empty → None.

Assumption, UNCONFIRMED: 1688 publishes no rate; we pace at 10 calls/s, burst 10, per app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from crossdock.core.errors import InvalidResponseError
from crossdock.core.ratelimit import Rate
from crossdock.platforms.alibaba1688.wire import (
    API,
    CHANNEL,
    DEFAULT_GATEWAY,
    WEBSITE,
    Credentials,
    QuotaExhausted,
    api_url,
    read_result,
    signed_params,
    url_path,
)
from crossdock.suppliers.ports import SupplierContext, SupplierSpec
from crossdock.suppliers.rules.offers import OfferRef, SupplierOffer

if TYPE_CHECKING:
    import requests

OPERATION = API
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def number(value: Any) -> Decimal | None:
    """A JSON number (or numeric text) as a Decimal from its text; None when absent or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return parsed if parsed.is_finite() else None


def units(value: Any) -> int | None:
    parsed = number(value)
    return None if parsed is None else int(parsed.to_integral_value(rounding=ROUND_FLOOR))


def find_sku(info: Mapping[str, Any], sku_id: str) -> Mapping[str, Any] | None:
    skus = [s for s in info.get("skuInfos") or [] if isinstance(s, Mapping)]
    wanted = sku_id.strip()
    for key in ("skuId", "specId"):
        match = next((s for s in skus if str(s.get(key) or "").strip() == wanted), None)
        if match is not None:
            return match
    return None


def lowest_price(sale: Mapping[str, Any]) -> Decimal | None:
    ranges = sale.get("priceRanges") or []
    prices = [number(r.get("price")) for r in ranges if isinstance(r, Mapping)]
    return min((p for p in prices if p is not None and p > 0), default=None)


def update_time(result: Mapping[str, Any], info: Mapping[str, Any]) -> str | int | None:
    """`lastUpdateTime` beside productInfo, else inside it; as given (an integral float → int)."""
    for where in (result, info):
        value = where.get("lastUpdateTime")
        if value is None or isinstance(value, bool) or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, int | str):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return str(value)  # a shape we do not know: the gate rejects it as unparseable, with its text
    return None


def offer_from(ref: OfferRef, body: Mapping[str, Any]) -> SupplierOffer:
    """A successful result as a SupplierOffer; a 200 without `productInfo` is a silent failure."""
    result = body
    if "productInfo" not in result and isinstance(result.get("result"), Mapping):
        result = result["result"]
    info = result.get("productInfo")
    if not isinstance(info, Mapping) or not info:
        raise InvalidResponseError(CHANNEL, f"no productInfo in the answer: {str(body)[:200]}", status=200)
    sale = info.get("saleInfo")
    sale = sale if isinstance(sale, Mapping) else {}
    stock, price = units(sale.get("amountOnSale")), lowest_price(sale)
    if ref.sku_id:
        sku = find_sku(info, ref.sku_id) or {}  # {}: the offer no longer lists the mapped SKU
        own = number(sku.get("price"))
        stock = units(sku.get("amountOnSale"))
        price = (own if own is not None and own > 0 else price) if sku else None
    return SupplierOffer(
        ref=ref,
        stock=stock,
        price=price,
        updated_raw=update_time(result, info),
        status=str(info.get("status") or ""),
        raw=dict(body),
    )


class Alibaba1688Source:
    """Reads 1688 offers through the open platform gateway, one signed call per offer."""

    name = CHANNEL

    def __init__(
        self,
        ctx: SupplierContext,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        verb: str = "POST",
    ) -> None:
        """`verb` POST sends a form (the SDK's way, keeps the token out of URLs); GET also works."""
        self.http = ctx.http
        self.credentials = Credentials.from_secret(ctx.credentials)
        self.path = url_path(self.credentials.app_key)
        self.url = api_url(ctx.endpoint("gateway", DEFAULT_GATEWAY), self.path)
        self.verb = verb.upper()
        self._now = now

    def read(self, ref: OfferRef) -> SupplierOffer:
        business = {"productID": ref.product_id.strip(), "webSite": WEBSITE}

        def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
            stamp = (self._now() - EPOCH) // timedelta(milliseconds=1)  # fresh per attempt, exact ms
            params = signed_params(self.credentials, self.path, business, stamp)
            if self.verb == "GET":
                return session.get(self.url, params=params, timeout=timeout)
            return session.post(self.url, data=params, timeout=timeout)

        try:
            return self.http.call(OPERATION, send, lambda response: offer_from(ref, read_result(response)))
        except QuotaExhausted as exc:
            exc.app_key = self.credentials.app_key  # whose quota: the alert names the app
            raise


SPEC = SupplierSpec(
    name=CHANNEL,
    display="1688",
    rates={OPERATION: Rate(10, 10)},  # UNCONFIRMED: no published rate; assumed per app
    endpoints={"gateway": DEFAULT_GATEWAY},
    credential_fields=("app_key", "app_secret", "access_token"),
    build=Alibaba1688Source,
)
