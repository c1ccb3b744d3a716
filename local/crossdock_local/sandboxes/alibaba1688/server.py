"""A local 1688 open platform gateway serving `alibaba.product.get` from a catalogue of offers.

`/openapi/param2/1/com.alibaba.product/alibaba.product.get/{appKey}`, GET query or POST form. Gateway
faults are HTTP 400 `{"error_code", "error_message", "exception"}`, checked in this order (codes as
the adapter's wire module assumes; several UNCONFIRMED): the app's rate, 10/s burst 10 × `rate_scale`
(gw.QosAppFrequencyLimit); the app key in the path (gw.AppKeyNotFound); `_aop_signature` present
(gw.SignatureMissing); `_aop_timestamp`, when sent, within ±10 min (gw.TimestampInvalid); the
signature, computed here independently of the adapter (gw.SignatureInvalid); `access_token` (none:
HTTP 401 "Request need user authenticated"; not the one issued: gw.InvalidAccessToken); the app's
ACL (gw.APIACLDecline); its quota of calls left (gw.NoUsageLeftError; a call past the checks spends
one); `productID` and `webSite` (gw.ParamMissing). Any other API under `param2` is gw.APIUnsupported.

An unknown offer is a business error in a 200: `{"success": false, "errMsg": ...}`. A known one is
`{"productInfo": {...}, "lastUpdateTime": ...}` with the time rendered per offer: "1688"
(yyyyMMddHHmmssSSS+0800), "plain" (yyyy-MM-dd HH:mm:ss), "millis" (epoch ms), all China time, or
"nested" (the 1688 style inside productInfo); an offer without an update time carries none. A stuck
offer keeps serving the snapshot taken when it stuck, however its stock and time move after.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from crossdock_local.sandboxes.base import (
    FaultProfile,
    Reply,
    Request,
    Route,
    Sandbox,
    ServerRateLimiter,
    route,
)
from crossdock_local.sandboxes.buckets import Rate

NAME = "1688"
API = "alibaba.product.get"
RATES = {API: Rate(10, 10)}  # UNCONFIRMED: 1688 publishes none; the adapter assumes the same
FRESHNESS = timedelta(minutes=10)
CHINA = timezone(timedelta(hours=8))
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TIME_FORMATS = ("1688", "plain", "millis", "nested")
PRODUCT_GET = r"/openapi/(param2/1/com\.alibaba\.product/alibaba\.product\.get/(?P<app>[^/]+))"
OTHER_API = r"/openapi/param2/1/[^/]+/[^/]+/(?P<app>[^/]+)"
Price = Decimal | str | float | int


@dataclass
class Sku:
    sku_id: str
    spec_id: str
    price: Decimal | None
    amount_on_sale: int


@dataclass
class Offer:
    product_id: str
    skus: list[Sku]
    amount_on_sale: float | None  # None: the sum of the SKUs', as 1688 shows it
    price_ranges: list[tuple[int, Decimal]]
    updated_at: datetime | None
    time_format: str
    status: str = "published"
    stuck: Offer | None = field(default=None, repr=False)  # the snapshot a stuck cache serves


class GatewayFault(Exception):
    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code} {message}")
        self.code, self.message, self.status = code, message, status

    def reply(self) -> Reply:
        if self.status == 401:
            return Reply(401, "Request need user authenticated", {"Content-Type": "text/plain"})
        body = {"error_code": self.code, "error_message": self.message, "exception": self.message}
        return Reply(self.status, body)


def aop_signature(path: str, params: Mapping[str, str], secret: str) -> str:
    text = path + "".join(sorted(k + v for k, v in params.items() if k != "_aop_signature"))
    return hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest().upper()


def render_time(at: datetime, style: str) -> str | int:
    china = at.astimezone(CHINA)
    if style == "millis":
        return (at - EPOCH) // timedelta(milliseconds=1)
    if style == "plain":
        return china.strftime("%Y-%m-%d %H:%M:%S")
    return china.strftime("%Y%m%d%H%M%S") + f"{china.microsecond // 1000:03d}+0800"


def _decimal(value: Price | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


class Alibaba1688Sandbox(Sandbox):
    name = NAME

    def __init__(
        self,
        credentials: Mapping[str, str] | None = None,
        *,
        quota: int | None = None,
        faults: FaultProfile | None = None,
        rate_scale: float = 1.0,
    ) -> None:
        """`credentials` {app_key, app_secret, access_token} is the app it knows (a new one if None);
        `quota` its calls left (None: unlimited)."""
        self.credentials = dict(
            credentials
            or {
                "app_key": str(1_000_000 + secrets.randbelow(9_000_000)),
                "app_secret": secrets.token_hex(8),
                "access_token": secrets.token_hex(16),
            }
        )
        key = self.credentials["app_key"]
        self.apps = {key: self.credentials["app_secret"]}
        self.tokens = {key: self.credentials["access_token"]}
        self.quota: dict[str, int | None] = {key: quota}
        self.acl_denied: set[str] = set()
        self.offers: dict[str, Offer] = {}
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.limiter = ServerRateLimiter(RATES, rate_scale)
        super().__init__(faults=faults, rate_scale=rate_scale)

    @property
    def endpoints(self) -> dict[str, str]:
        return {"gateway": self.url}

    # -- the catalogue -----------------------------------------------------------------------------
    def add_offer(
        self,
        product_id: str,
        *,
        updated_at: datetime | None,
        skus: Sequence[tuple[str, str, Price | None, int]] = (),
        amount_on_sale: float | None = None,
        price_ranges: Sequence[tuple[int, Price] | Price] = (),
        time_format: str = "1688",
        status: str = "published",
    ) -> Offer:
        """An offer; `skus` as (skuId, specId, price or None, amountOnSale), `price_ranges` as
        (startQuantity, price) or bare prices; `updated_at` None: the result carries no time."""
        if time_format not in TIME_FORMATS:
            raise ValueError(f"unknown time_format {time_format!r}; known: {', '.join(TIME_FORMATS)}")
        ranges = [r if isinstance(r, tuple) else (1, r) for r in price_ranges]
        offer = Offer(
            product_id=str(product_id),
            skus=[Sku(str(s), str(p), _decimal(price), int(n)) for s, p, price, n in skus],
            amount_on_sale=amount_on_sale,
            price_ranges=[(int(start), Decimal(str(price))) for start, price in ranges],
            updated_at=_aware(updated_at),
            time_format=time_format,
            status=status,
        )
        with self._lock:
            self.offers[offer.product_id] = offer
        return offer

    def set_updated(self, product_id: str, updated_at: datetime | None) -> None:
        with self._lock:
            self.offers[product_id].updated_at = _aware(updated_at)

    def set_stock(
        self, product_id: str, amount: float, *, sku_id: str | None = None, updated_at: datetime | None = None
    ) -> None:
        """The offer's (or one SKU's, by skuId or specId) units on sale; `updated_at` moves its time."""
        with self._lock:
            offer = self.offers[product_id]
            if sku_id is None:
                offer.amount_on_sale = amount
            else:
                sku = next(s for s in offer.skus if sku_id in (s.sku_id, s.spec_id))
                sku.amount_on_sale = int(amount)
            if updated_at is not None:
                offer.updated_at = _aware(updated_at)

    def set_stuck(self, product_id: str, stuck: bool = True) -> None:
        """A stuck cache: from now on the offer is served as it is at this moment."""
        with self._lock:
            offer = self.offers[product_id]
            offer.stuck = None
            offer.stuck = copy.deepcopy(offer) if stuck else None

    def set_quota(self, calls_left: int | None, app_key: str | None = None) -> None:
        with self._lock:
            self.quota[app_key or self.credentials["app_key"]] = calls_left

    def calls_left(self, app_key: str | None = None) -> int | None:
        return self.quota.get(app_key or self.credentials["app_key"])

    # -- serving -------------------------------------------------------------------------------------
    def routes(self) -> list[Route]:
        return [
            *(route(verb, PRODUCT_GET, API, self._serve) for verb in ("GET", "POST")),
            *(route(verb, OTHER_API, "unsupported", self._unsupported) for verb in ("GET", "POST")),
        ]

    def caller(self, request: Request) -> str:
        found = re.search(r"/([^/]+)$", request.path)
        return found.group(1) if found else ""

    def limiter_wait(self, request: Request, route: Route) -> float:
        return self.limiter.take(self.caller(request), API)

    def throttled(self, request: Request, route: Route, wait_s: float) -> Reply:
        return GatewayFault("gw.QosAppFrequencyLimit", "App call exceeds limited frequency").reply()

    def render_fault(self, kind: str, request: Request, route: Route) -> Reply:
        if kind == "error_envelope":
            return Reply(200, {"success": False, "errMsg": "系统繁忙，请稍后重试 (system busy)"})
        return Reply(200, {})

    def _unsupported(self, request: Request, match: re.Match[str]) -> Reply:
        return GatewayFault("gw.APIUnsupported", "API is not supported").reply()

    def _serve(self, request: Request, match: re.Match[str]) -> Reply:
        try:
            params = self._check(request, match.group(1), match.group("app"))
        except GatewayFault as fault:
            with self._lock:
                self.stats[f"faults:{fault.code}"] += 1
            return fault.reply()
        with self._lock:
            offer = self.offers.get(params["productID"])
            offer = (offer.stuck or offer) if offer else None
            body = self._result(offer) if offer and params["webSite"] == "1688" else None
            self.stats["offers:served" if body else "offers:unknown"] += 1
        if body is None:
            return Reply(200, {"success": False, "errMsg": f"product not found: {params['productID']}"})
        return Reply(200, body)

    def _check(self, request: Request, path: str, app: str) -> dict[str, str]:
        p = request.params()
        secret = self.apps.get(app)
        if secret is None:
            raise GatewayFault("gw.AppKeyNotFound", f"AppKey {app} not found")
        if not p.get("_aop_signature"):
            raise GatewayFault("gw.SignatureMissing", "Signature is missing")
        stamp = p.get("_aop_timestamp")
        if stamp is not None:
            skew_ms = abs(self.clock().timestamp() * 1000 - int(stamp)) if stamp.isdigit() else float("inf")
            if skew_ms > FRESHNESS.total_seconds() * 1000:
                raise GatewayFault("gw.TimestampInvalid", "_aop_timestamp is out of the allowed range")
        if not hmac.compare_digest(p["_aop_signature"].encode(), aop_signature(path, p, secret).encode()):
            raise GatewayFault("gw.SignatureInvalid", "Signature is invalid")
        if not p.get("access_token"):
            raise GatewayFault("401", "Request need user authenticated", status=401)
        if p["access_token"] != self.tokens.get(app):
            raise GatewayFault("gw.InvalidAccessToken", "access_token is invalid or expired")
        if app in self.acl_denied:
            raise GatewayFault("gw.APIACLDecline", "AppKey is not allowed(acl)")
        with self._lock:
            left = self.quota.get(app)
            if left is not None and left <= 0:
                raise GatewayFault("gw.NoUsageLeftError", "SLA bill has no usage left")
            if left is not None:
                self.quota[app] = left - 1
        missing = [name for name in ("productID", "webSite") if not p.get(name)]
        if missing:
            raise GatewayFault("gw.ParamMissing", f"Missing parameter: {', '.join(missing)}")
        return p

    @staticmethod
    def _result(offer: Offer) -> dict[str, Any]:
        total = offer.amount_on_sale
        if total is None:
            total = sum(s.amount_on_sale for s in offer.skus)
        sale = {
            "amountOnSale": float(total),
            "unit": "件",
            "priceRanges": [{"startQuantity": n, "price": float(p)} for n, p in offer.price_ranges],
        }
        skus = []
        for sku in offer.skus:
            item: dict[str, Any] = {
                "skuId": _id(sku.sku_id),
                "specId": sku.spec_id,
            }
            if sku.price is not None:
                item["price"] = float(sku.price)
            skus.append({**item, "amountOnSale": sku.amount_on_sale})
        info: dict[str, Any] = {
            "productID": _id(offer.product_id),
            "subject": f"Offer {offer.product_id}",
            "status": offer.status,
            "saleInfo": sale,
            "skuInfos": skus,
        }
        body: dict[str, Any] = {"productInfo": info}
        if offer.updated_at is not None:
            nested = offer.time_format == "nested"
            (info if nested else body)["lastUpdateTime"] = render_time(
                offer.updated_at, "1688" if nested else offer.time_format
            )
        return body


def _id(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _aware(at: datetime | None) -> datetime | None:
    if at is not None and at.tzinfo is None:
        raise ValueError("updated_at must carry its time zone")
    return at
