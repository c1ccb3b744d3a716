"""The Amazon sandbox's Feeds API 2021-06-30 routes and the presigned document URLs.

- `POST /feeds/2021-06-30/documents` `{"contentType"}` → 201 `{feedDocumentId, url}` (a PUT URL).
- `PUT|GET /feed-documents/<id>?X-Amz-…`: the S3 side (documents.py), no token.
- `POST /feeds/2021-06-30/feeds` `{feedType, marketplaceIds, inputFeedDocumentId}` → 202 `{feedId}`;
  only JSON_LISTINGS_FEED, only the seller's marketplace, only an uploaded document of the seller.
- `GET /feeds/2021-06-30/feeds/{feedId}` → the Feed (feeds.py moves it along).
- `GET /feeds/2021-06-30/documents/{id}` → `{feedDocumentId, url, compressionAlgorithm?}` (a GET URL).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from crossdock_local.sandboxes.amazon.feeds import FEED_TYPE
from crossdock_local.sandboxes.amazon.stock import StockApi, invalid_input, rate_headers
from crossdock_local.sandboxes.amazon.wire import sp_api_error
from crossdock_local.sandboxes.base import Reply, Request, Route, route

FEEDS = "/feeds/2021-06-30"


def feed_routes(api: StockApi) -> list[Route]:
    def create_document(request: Request, _: re.Match[str]) -> Reply:
        account = api.authorize(request)
        if isinstance(account, Reply):
            return account
        body = _json(request)
        content_type = body.get("contentType") if isinstance(body, dict) else None
        if not isinstance(content_type, str) or not content_type:
            return invalid_input("createFeedDocument", "contentType is required.")
        document = api.documents.create(account.shop_id, content_type)
        answer = {
            "feedDocumentId": document.document_id,
            "url": api.documents.url(api.base_url, "PUT", document),
        }
        return Reply(201, answer, rate_headers("createFeedDocument"))

    def create_feed(request: Request, _: re.Match[str]) -> Reply:
        account = api.authorize(request)
        if isinstance(account, Reply):
            return account
        body = _json(request)
        spec = body if isinstance(body, dict) else {}
        marketplaces = spec.get("marketplaceIds")
        document = api.documents.get(str(spec.get("inputFeedDocumentId", "")))
        if spec.get("feedType") != FEED_TYPE:
            return invalid_input("createFeed", f"Unsupported feedType: {spec.get('feedType')!r}.")
        if (
            not isinstance(marketplaces, list)
            or not 1 <= len(marketplaces) <= 25
            or not all(isinstance(m, str) for m in marketplaces)
        ):
            return invalid_input("createFeed", "marketplaceIds must hold 1 to 25 marketplace ids.")
        if set(marketplaces) != {account.marketplace_id}:
            return invalid_input(
                "createFeed", f"Invalid marketplaceIds: {', '.join(map(str, marketplaces))}."
            )
        if document is None or document.shop_id != account.shop_id:
            return invalid_input("createFeed", "inputFeedDocumentId is not a feed document of this seller.")
        if document.body is None:
            return invalid_input("createFeed", "The feed document has not been uploaded.")
        feed = api.feeds.create(account.shop_id, account.seller_id, marketplaces, document)
        return Reply(202, {"feedId": feed.feed_id}, rate_headers("createFeed"))

    def get_feed(request: Request, match: re.Match[str]) -> Reply:
        account = api.authorize(request)
        if isinstance(account, Reply):
            return account
        feed = api.feeds.feeds.get(unquote(match["id"]))
        if feed is None or feed.shop_id != account.shop_id:
            return sp_api_error(
                404, "NotFound", "The requested feed was not found.", **rate_headers("getFeed")
            )
        return Reply(200, feed.render(), rate_headers("getFeed"))

    def get_document(request: Request, match: re.Match[str]) -> Reply:
        account = api.authorize(request)
        if isinstance(account, Reply):
            return account
        document = api.documents.get(unquote(match["id"]))
        if document is None or document.shop_id != account.shop_id:
            message = "The requested feed document was not found."
            return sp_api_error(404, "NotFound", message, **rate_headers("getFeedDocument"))
        answer: dict[str, Any] = {
            "feedDocumentId": document.document_id,
            "url": api.documents.url(api.base_url, "GET", document),
        }
        if document.compression:
            answer["compressionAlgorithm"] = document.compression
        return Reply(200, answer, rate_headers("getFeedDocument"))

    def put_object(request: Request, match: re.Match[str]) -> Reply:
        return api.documents.put(request, unquote(match["id"]))

    def get_object(request: Request, match: re.Match[str]) -> Reply:
        return api.documents.download(request, unquote(match["id"]))

    return [
        route("POST", rf"{FEEDS}/documents", "createFeedDocument", create_document),
        route("GET", rf"{FEEDS}/documents/(?P<id>[^/]+)", "getFeedDocument", get_document),
        route("POST", rf"{FEEDS}/feeds", "createFeed", create_feed),
        route("GET", rf"{FEEDS}/feeds/(?P<id>[^/]+)", "getFeed", get_feed),
        route("PUT", r"/feed-documents/(?P<id>[^/]+)", "uploadFeedDocument", put_object),
        route("GET", r"/feed-documents/(?P<id>[^/]+)", "downloadReport", get_object),
    ]


def _json(request: Request) -> Any:
    try:
        return request.json()
    except ValueError:
        return None
