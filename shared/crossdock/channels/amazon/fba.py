"""FBA Inventory v1 `getInventorySummaries`: what Amazon's warehouses hold for the seller.

`GET /fba/inventory/v1/summaries?details=true&granularityType=Marketplace&granularityId=<mkt>
&marketplaceIds=<mkt>[&startDateTime=…][&nextToken=…]` (2/s, burst 2), 50 summaries a page (observed),
`pagination.nextToken` at the top level until the last page. The token dies 30 s after it is issued,
so the listing is read to its end before the first summary is yielded (a slow caller between
summaries cannot kill it); when it died anyway (400 InvalidInput naming the token, e.g. after a long
Retry-After) the listing restarts once from the top. `startDateTime` is repeated with every token;
Amazon ignores inbound changes for it, and refuses dates over 18 months back (then it is left out).

Only `inventoryDetails.fulfillableQuantity` is sellable. Inbound (working + shipped + receiving),
reserved, researching and unfulfillable are reported, never counted. A summary whose counts are not
whole numbers ≥ 0 (or that lacks `fulfillableQuantity`) is yielded as a `RefusedSummary` naming each
bad value — never read as "0 fulfillable", and never failing the rest of the read; the use case
holds the counts to the configured ceiling. A summary without `inventoryDetails` (the answer lacks
what was asked for: the page is retried) or without `sellerSku` (it could not be set aside by SKU)
is an InvalidResponseError.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import requests

from crossdock.channels.amazon.normalize import CHANNEL
from crossdock.channels.amazon.spapi import SpApi, sp_api_json
from crossdock.core.errors import InvalidResponseError, RequestRejectedError
from crossdock.core.times import iso_z
from crossdock.stock.rules.counts import RefusedSummary, UnitsRefused, whole_units
from crossdock.stock.rules.sellable import FbaSummary

if TYPE_CHECKING:
    from crossdock.channels.spec import ShopContext

SUMMARIES = "getInventorySummaries"
SUMMARIES_PATH = "/fba/inventory/v1/summaries"
HISTORY = timedelta(days=540)  # "no earlier than 18 months prior", with a margin


INBOUND = ("inboundWorkingQuantity", "inboundShippedQuantity", "inboundReceivingQuantity")


def to_summary(raw: Any, shop_id: str = "") -> FbaSummary | RefusedSummary:
    """One `InventorySummary` (details=true) → FbaSummary, or RefusedSummary naming its bad counts."""
    if not isinstance(raw, dict) or not isinstance(raw.get("sellerSku"), str):
        raise InvalidResponseError(CHANNEL, f"{SUMMARIES}: summary without sellerSku: {str(raw)[:200]}")
    sku = raw["sellerSku"]
    where = f" for SKU {sku}" + (f" in shop {shop_id}" if shop_id else "")
    details = raw.get("inventoryDetails")
    if not isinstance(details, dict):  # the answer lacks what details=true asked for: retry the page
        raise InvalidResponseError(CHANNEL, f"{SUMMARIES}: {sku} has no inventoryDetails")
    problems: list[str] = []

    def count(node: Any, name: str, default: int | None = 0) -> int:
        value = node.get(name, default) if isinstance(node, dict) else default
        try:
            return whole_units(value, source=f"FBA {name}{where}")
        except UnitsRefused as exc:
            problems.append(str(exc))
            return 0

    summary = FbaSummary(
        seller_sku=sku,
        fulfillable=count(details, "fulfillableQuantity", default=None),
        inbound=sum(count(details, name) for name in INBOUND),
        reserved=count(details.get("reservedQuantity"), "totalReservedQuantity"),
        researching=count(details.get("researchingQuantity"), "totalResearchingQuantity"),
        unfulfillable=count(details.get("unfulfillableQuantity"), "totalUnfulfillableQuantity"),
        details=raw,
    )
    return RefusedSummary(sku, tuple(problems)) if problems else summary


def parse_summaries(
    body: dict[str, Any], shop_id: str = ""
) -> tuple[list[FbaSummary | RefusedSummary], str | None]:
    payload = body.get("payload")
    summaries = payload.get("inventorySummaries") if isinstance(payload, dict) else None
    if not isinstance(summaries, list):
        raise InvalidResponseError(CHANNEL, f"{SUMMARIES} 200 without payload.inventorySummaries")
    pagination = body.get("pagination")
    token = pagination.get("nextToken") if isinstance(pagination, dict) else None
    if not summaries and token:
        raise InvalidResponseError(CHANNEL, f"{SUMMARIES} returned an empty page that claims a next page")
    return [to_summary(raw, shop_id) for raw in summaries], str(token) if token else None


def token_expired(exc: RequestRejectedError) -> bool:
    text = str(exc).lower()
    return exc.status == 400 and ("next token" in text or "nexttoken" in text)


class AmazonFba:
    """One seller's FBA summaries in one marketplace (`fba_marketplace_id`, default the first)."""

    def __init__(self, ctx: ShopContext) -> None:
        self.api = SpApi(ctx)
        self.shop_id = ctx.shop_id
        self.marketplace_id = str(ctx.settings.get("fba_marketplace_id") or self.api.marketplace_ids[0])
        self.now = ctx.now or (lambda: datetime.now(UTC))

    def params(self, since: datetime | None) -> dict[str, str]:
        params = {
            "details": "true",
            "granularityType": "Marketplace",
            "granularityId": self.marketplace_id,
            "marketplaceIds": self.marketplace_id,
        }
        if since is not None and since > self.now() - HISTORY:
            params["startDateTime"] = iso_z(since)
        return params

    def summaries(self, since: datetime | None = None) -> Iterator[FbaSummary | RefusedSummary]:
        params = self.params(since)
        try:
            listing = self._read_all(params)
        except RequestRejectedError as exc:
            if not token_expired(exc):
                raise
            listing = self._read_all(params)  # once: a second expiry is raised
        yield from listing

    def _read_all(self, params: dict[str, str]) -> list[FbaSummary | RefusedSummary]:
        found: list[FbaSummary | RefusedSummary] = []
        token: str | None = None
        used: set[str] = set()
        while True:
            page, token = self.api.call(
                SUMMARIES,
                "GET",
                SUMMARIES_PATH,
                self._parse,
                params=params if token is None else {**params, "nextToken": token},
            )
            found.extend(page)
            if token is None:
                return found
            if token in used:
                raise InvalidResponseError(CHANNEL, f"{SUMMARIES} handed out the same nextToken twice")
            used.add(token)

    def _parse(self, response: requests.Response) -> tuple[list[FbaSummary | RefusedSummary], str | None]:
        return parse_summaries(sp_api_json(self.api.http, SUMMARIES, response), self.shop_id)
