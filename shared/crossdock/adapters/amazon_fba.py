"""FBA Inventory v1 `getInventorySummaries`: what Amazon's warehouses hold for the seller.

`GET /fba/inventory/v1/summaries?details=true&granularityType=Marketplace&granularityId=<mkt>
&marketplaceIds=<mkt>[&startDateTime=…][&nextToken=…]` (2/s, burst 2), 50 summaries a page (observed),
`pagination.nextToken` at the top level until the last page. The token dies 30 s after it is issued,
so the listing is read to its end before the first summary is yielded (a slow caller between
summaries cannot kill it); when it died anyway (400 InvalidInput naming the token, e.g. after a long
Retry-After) the listing restarts once from the top. `startDateTime` is repeated with every token;
Amazon ignores inbound changes for it, and refuses dates over 18 months back (then it is left out).

Only `inventoryDetails.fulfillableQuantity` is sellable. Inbound (working + shipped + receiving),
reserved, researching and unfulfillable are reported, never counted. A summary without
`inventoryDetails` is an InvalidResponseError, never "0 fulfillable".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from crossdock.adapters.amazon_normalize import CHANNEL
from crossdock.adapters.amazon_spapi import SpApi, sp_api_json
from crossdock.adapters.errors import InvalidResponseError, RequestRejectedError
from crossdock.adapters.ports import ShopContext
from crossdock.domain.orders import iso_z
from crossdock.domain.stock import FbaSummary

SUMMARIES = "getInventorySummaries"
SUMMARIES_PATH = "/fba/inventory/v1/summaries"
HISTORY = timedelta(days=540)  # "no earlier than 18 months prior", with a margin


def _count(node: Any, name: str, where: str) -> int:
    value = node.get(name, 0) if isinstance(node, dict) else 0
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidResponseError(CHANNEL, f"{SUMMARIES}: {where}.{name} is {value!r}")
    return value


def to_summary(raw: Any) -> FbaSummary:
    """One `InventorySummary` (details=true) → FbaSummary."""
    if not isinstance(raw, dict) or not isinstance(raw.get("sellerSku"), str):
        raise InvalidResponseError(CHANNEL, f"{SUMMARIES}: summary without sellerSku: {str(raw)[:200]}")
    details = raw.get("inventoryDetails")
    if not isinstance(details, dict) or not isinstance(details.get("fulfillableQuantity"), int):
        raise InvalidResponseError(
            CHANNEL, f"{SUMMARIES}: {raw['sellerSku']} has no inventoryDetails.fulfillableQuantity"
        )
    where = f"{raw['sellerSku']}.inventoryDetails"
    return FbaSummary(
        seller_sku=raw["sellerSku"],
        fulfillable=_count(details, "fulfillableQuantity", where),
        inbound=sum(
            _count(details, name, where)
            for name in ("inboundWorkingQuantity", "inboundShippedQuantity", "inboundReceivingQuantity")
        ),
        reserved=_count(details.get("reservedQuantity"), "totalReservedQuantity", where),
        researching=_count(details.get("researchingQuantity"), "totalResearchingQuantity", where),
        unfulfillable=_count(details.get("unfulfillableQuantity"), "totalUnfulfillableQuantity", where),
        details=raw,
    )


def parse_summaries(body: dict[str, Any]) -> tuple[list[FbaSummary], str | None]:
    payload = body.get("payload")
    summaries = payload.get("inventorySummaries") if isinstance(payload, dict) else None
    if not isinstance(summaries, list):
        raise InvalidResponseError(CHANNEL, f"{SUMMARIES} 200 without payload.inventorySummaries")
    pagination = body.get("pagination")
    token = pagination.get("nextToken") if isinstance(pagination, dict) else None
    if not summaries and token:
        raise InvalidResponseError(CHANNEL, f"{SUMMARIES} returned an empty page that claims a next page")
    return [to_summary(raw) for raw in summaries], str(token) if token else None


def token_expired(exc: RequestRejectedError) -> bool:
    text = str(exc).lower()
    return exc.status == 400 and ("next token" in text or "nexttoken" in text)


class AmazonFba:
    """One seller's FBA summaries in one marketplace (`fba_marketplace_id`, default the first)."""

    def __init__(self, ctx: ShopContext) -> None:
        self.api = SpApi(ctx)
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

    def summaries(self, since: datetime | None = None) -> Iterator[FbaSummary]:
        params = self.params(since)
        try:
            listing = self._read_all(params)
        except RequestRejectedError as exc:
            if not token_expired(exc):
                raise
            listing = self._read_all(params)  # once: a second expiry is raised
        yield from listing

    def _read_all(self, params: dict[str, str]) -> list[FbaSummary]:
        found: list[FbaSummary] = []
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

    def _parse(self, response: requests.Response) -> tuple[list[FbaSummary], str | None]:
        return parse_summaries(sp_api_json(self.api.http, SUMMARIES, response))
