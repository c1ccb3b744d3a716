"""The stock adapter's requests and the Amazon sandbox's answers, checked against the official Feeds,
Listings Items and FBA Inventory models and the listings feed / processing report JSON Schemas."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from contracts.openapi import OpenApiModel
from crossdock.channels.amazon.fba import AmazonFba
from crossdock.channels.amazon.stock import AmazonStockWriter
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import Request, SandboxShop
from jsonschema import Draft7Validator

from tests.support.amazon_sandbox import SCALE, SHOP, add_shop, context, listings, updates

MODELS = Path(__file__).resolve().parents[2] / "contracts" / "models" / "amazon"
FEEDS = OpenApiModel.load(MODELS / "feeds_2021-06-30.json")
LISTINGS = OpenApiModel.load(MODELS / "listingsItems_2021-08-01.json")
FBA = OpenApiModel.load(MODELS / "fbaInventory.json")
FEED_SCHEMA = Draft7Validator(json.loads((MODELS / "listings-feed-schema-v2.json").read_text()))
REPORT_SCHEMA = Draft7Validator(
    json.loads((MODELS / "listings-feed-processing-report-schema-v2.json").read_text())
)


@pytest.fixture
def sandbox() -> Iterator[AmazonSandbox]:
    server = AmazonSandbox(rate_scale=SCALE)
    server.start()
    yield server
    server.stop()


def model_of(path: str) -> OpenApiModel:
    return FEEDS if path.startswith("/feeds/") else LISTINGS if path.startswith("/listings/") else FBA


def check_request(request: Request) -> str:
    """Validate one logged SP-API request (query, path, JSON body); its operationId."""
    model = model_of(request.path)
    operation = model.find(request.method, request.path)
    model.validate_request(operation.operation_id, query=request.query, path=request.path)
    body_params = [p for p in operation.parameters if p["in"] == "body"]
    if body_params:
        errors = list(model.validator(body_params[0]["schema"]).iter_errors(request.json()))
        assert not errors, f"{operation.operation_id} body: {errors[0].message}"
    return operation.operation_id


def test_every_stock_request_the_adapter_sends_is_one_the_models_allow(sandbox: AmazonSandbox) -> None:
    # Given
    sandbox.keep_log = True
    shop = add_shop(sandbox)
    stock = AmazonStockWriter(context(shop))
    items = listings(sandbox, 8, prefix="A/b c")
    sandbox.set_fba(SHOP, "FBA-1", fulfillable=3, inbound_shipped=2)
    # When
    stock.push(updates(items))  # a feed
    stock.push(updates(items[:2], quantity=1))  # per SKU
    stock.read(items[:2])
    list(AmazonFba(context(shop)).summaries())
    # Then
    sp_api = [r for r in sandbox.log if not r.path.startswith(("/auth/", "/feed-documents/"))]
    checked = {check_request(r) for r in sp_api}
    assert checked == {
        "createFeedDocument",
        "createFeed",
        "getFeed",
        "getFeedDocument",
        "patchListingsItem",
        "getListingsItem",
        "getInventorySummaries",
    }
    uploads = [r for r in sandbox.log if r.method == "PUT"]
    assert len(uploads) == 1 and "x-amz-access-token" not in uploads[0].headers
    assert not list(FEED_SCHEMA.iter_errors(uploads[0].json()))


class Caller:
    """Calls the sandbox directly, as the models describe the operations."""

    def __init__(self, shop: SandboxShop) -> None:
        form = {"grant_type": "refresh_token", **shop.credentials}
        token = requests.post(shop.endpoints["token"], data=form, timeout=5).json()["access_token"]
        self.api = shop.endpoints["api"]
        self.headers = {"x-amz-access-token": token, "x-amz-date": "20260101T000000Z"}
        self.seller = shop.options["seller_id"]
        self.marketplace = shop.options["marketplace_ids"][0]

    def call(self, method: str, path: str, *, token: bool = True, **kw: Any) -> requests.Response:
        headers = self.headers if token else {}
        return requests.request(method, self.api + path, headers=headers, timeout=5, **kw)


def check(model: OpenApiModel, operation: str, response: requests.Response, status: int) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    model.validate_response(operation, status, body)
    if status != 403:
        assert "x-amzn-RateLimit-Limit" in response.headers
    return body


def test_the_feed_routes_answer_as_the_model_says(sandbox: AmazonSandbox) -> None:
    # Given
    shop = add_shop(sandbox)
    caller = Caller(shop)
    item = listings(sandbox, 1)[0]
    sandbox.stock.feeds.compress_reports = True
    docs = "/feeds/2021-06-30/documents"
    # When / Then
    created = check(
        FEEDS,
        "createFeedDocument",
        caller.call("POST", docs, json={"contentType": "application/json; charset=UTF-8"}),
        201,
    )
    check(FEEDS, "createFeedDocument", caller.call("POST", docs, json={}), 400)
    check(FEEDS, "createFeedDocument", caller.call("POST", docs, json={}, token=False), 403)
    message = {
        "messageId": 1,
        "sku": item.sku,
        "operationType": "PATCH",
        "productType": item.ref["product_type"],
    }
    message["patches"] = [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 4}],
        }
    ]
    document = {"header": {"sellerId": caller.seller, "version": "2.0"}, "messages": [message]}
    put = requests.put(
        created["url"],
        data=json.dumps(document),
        headers={"Content-Type": "application/json; charset=UTF-8"},
        timeout=5,
    )
    assert put.status_code == 200
    spec = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [caller.marketplace],
        "inputFeedDocumentId": created["feedDocumentId"],
    }
    sandbox.hold_feeds()  # a slow Amazon: the feed stays queued however loaded this machine is
    feed_id = check(FEEDS, "createFeed", caller.call("POST", "/feeds/2021-06-30/feeds", json=spec), 202)[
        "feedId"
    ]
    bad = {**spec, "marketplaceIds": ["A1VC38T7YXB528"]}
    check(FEEDS, "createFeed", caller.call("POST", "/feeds/2021-06-30/feeds", json=bad), 400)
    queued = check(FEEDS, "getFeed", caller.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}"), 200)
    assert queued["processingStatus"] in ("IN_QUEUE", "IN_PROGRESS")
    sandbox.hold_feeds(False)
    check(FEEDS, "getFeed", caller.call("GET", "/feeds/2021-06-30/feeds/999"), 404)
    done = feed_when_done(caller, feed_id)
    report_doc = check(
        FEEDS, "getFeedDocument", caller.call("GET", f"{docs}/{done['resultFeedDocumentId']}"), 200
    )
    check(FEEDS, "getFeedDocument", caller.call("GET", f"{docs}/amzn1.tortuga.4.na.unknown"), 404)
    report = json.loads(gzip.decompress(requests.get(report_doc["url"], timeout=5).content))
    assert report_doc["compressionAlgorithm"] == "GZIP"
    assert not list(REPORT_SCHEMA.iter_errors(report))
    assert report["summary"]["messagesAccepted"] == 1 and sandbox.quantity(SHOP, item.sku) == 4


def feed_when_done(caller: Caller, feed_id: str) -> dict[str, Any]:
    for _ in range(200):
        feed = check(FEEDS, "getFeed", caller.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}"), 200)
        if feed["processingStatus"] == "DONE":
            return dict(feed)
    raise AssertionError(f"feed {feed_id} never finished")


def test_a_fatal_feeds_report_is_a_valid_report_naming_the_reason(sandbox: AmazonSandbox) -> None:
    # Given
    shop = add_shop(sandbox)
    caller = Caller(shop)
    docs = "/feeds/2021-06-30/documents"
    created = caller.call("POST", docs, json={"contentType": "application/json; charset=UTF-8"}).json()
    requests.put(
        created["url"],
        data=b'{"header": {}}',
        headers={"Content-Type": "application/json; charset=UTF-8"},
        timeout=5,
    )
    spec = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [caller.marketplace],
        "inputFeedDocumentId": created["feedDocumentId"],
    }
    feed_id = caller.call("POST", "/feeds/2021-06-30/feeds", json=spec).json()["feedId"]
    # When
    for _ in range(200):
        feed = caller.call("GET", f"/feeds/2021-06-30/feeds/{feed_id}").json()
        if feed["processingStatus"] == "FATAL":
            break
    document = caller.call("GET", f"{docs}/{feed['resultFeedDocumentId']}").json()
    report = json.loads(gzip.decompress(requests.get(document["url"], timeout=5).content))
    # Then
    assert feed["processingStatus"] == "FATAL"
    assert not list(REPORT_SCHEMA.iter_errors(report))
    assert "does not match the schema" in report["issues"][0]["message"]


def test_presigned_urls_refuse_a_wrong_content_type_and_a_forged_signature(sandbox: AmazonSandbox) -> None:
    # Given
    caller = Caller(add_shop(sandbox))
    created = caller.call(
        "POST", "/feeds/2021-06-30/documents", json={"contentType": "application/json; charset=UTF-8"}
    ).json()
    # When
    wrong_type = requests.put(created["url"], data=b"{}", headers={"Content-Type": "text/plain"}, timeout=5)
    forged = requests.put(
        created["url"][:-4] + "0000",
        data=b"{}",
        headers={"Content-Type": "application/json; charset=UTF-8"},
        timeout=5,
    )
    # Then
    assert (wrong_type.status_code, forged.status_code) == (403, 403)
    assert "<Code>SignatureDoesNotMatch</Code>" in wrong_type.text


def test_the_listings_and_fba_routes_answer_as_the_models_say(sandbox: AmazonSandbox) -> None:
    # Given
    caller = Caller(add_shop(sandbox))
    item = listings(sandbox, 1, quantity=3, prefix="A/b")[0]
    path = f"/listings/2021-08-01/items/{caller.seller}/{quote(item.sku, safe='')}"
    mkt = {"marketplaceIds": caller.marketplace}
    body = {
        "productType": item.ref["product_type"],
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 8}],
            }
        ],
    }
    # When / Then
    assert (
        check(LISTINGS, "patchListingsItem", caller.call("PATCH", path, params=mkt, json=body), 200)["status"]
        == "ACCEPTED"
    )
    invalid = check(
        LISTINGS,
        "patchListingsItem",
        caller.call("PATCH", path, params=mkt, json={**body, "productType": "SHOES_X"}),
        200,
    )
    assert invalid["status"] == "INVALID" and invalid["issues"][0]["severity"] == "ERROR"
    check(LISTINGS, "patchListingsItem", caller.call("PATCH", path, params=mkt, json={}), 400)
    other_seller = path.replace(caller.seller, "A0THERSELLER00")
    check(LISTINGS, "patchListingsItem", caller.call("PATCH", other_seller, params=mkt, json=body), 403)
    item_body = check(
        LISTINGS,
        "getListingsItem",
        caller.call("GET", path, params={**mkt, "includedData": "summaries,fulfillmentAvailability"}),
        200,
    )
    assert item_body["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 8}]
    check(LISTINGS, "getListingsItem", caller.call("GET", path + "X", params=mkt), 404)
    check(
        LISTINGS, "getListingsItem", caller.call("GET", path, params={**mkt, "includedData": "prices"}), 400
    )
    sandbox.set_fba(SHOP, "F-1", fulfillable=2, inbound_working=9)
    query = {
        "details": "true",
        "granularityType": "Marketplace",
        "granularityId": caller.marketplace,
        "marketplaceIds": caller.marketplace,
    }
    FBA.validate_request("getInventorySummaries", query=query)
    page = check(
        FBA, "getInventorySummaries", caller.call("GET", "/fba/inventory/v1/summaries", params=query), 200
    )
    assert page["payload"]["inventorySummaries"][0]["inventoryDetails"]["fulfillableQuantity"] == 2
    check(
        FBA,
        "getInventorySummaries",
        caller.call("GET", "/fba/inventory/v1/summaries", params={**query, "nextToken": "bm9wZQ=="}),
        400,
    )
    check(
        FBA,
        "getInventorySummaries",
        caller.call("GET", "/fba/inventory/v1/summaries", params={**query, "granularityType": "Store"}),
        400,
    )


def test_throttled_stock_calls_answer_429_quota_exceeded_with_the_rate() -> None:
    # Given
    with AmazonSandbox(rate_scale=1.0) as sandbox:
        caller = Caller(add_shop(sandbox))
        query = {
            "granularityType": "Marketplace",
            "granularityId": caller.marketplace,
            "marketplaceIds": caller.marketplace,
        }
        # When
        answers = [caller.call("GET", "/fba/inventory/v1/summaries", params=query) for _ in range(3)]
        # Then
        assert [a.status_code for a in answers] == [200, 200, 429]
        body = check(FBA, "getInventorySummaries", answers[2], 429)
        assert body["errors"][0]["code"] == "QuotaExceeded"
        assert answers[2].headers["x-amzn-RateLimit-Limit"] == "2.0"
