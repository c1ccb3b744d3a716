"""JSON_LISTINGS_FEED in the Amazon sandbox: feeds that queue, process and write their report.

A created feed is IN_QUEUE for `QUEUE_S`, IN_PROGRESS for `PROCESS_S` (both ÷ rate_scale), then
processed at the first request after that (every request advances the clock of feeds, so the
listings change even if nobody polls). A document that is not JSON, breaks the official
`listings-feed-schema-v2.json` or names another seller (feed_check.py), or a forced failure
(`fail_next`: the shop's next n feeds, then good ones again), ends FATAL with a report that explains
it: one ERROR issue without messageId and a summary of 0 messages processed; no message is applied.
Otherwise every message is checked and applied like a `patchListingsItem` (listings.py,
scripted refusals included): ERROR issues per refused message, the summary counts, the report stored
as a feed document (GZIP-compressed when `compress_reports`).
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crossdock_local.sandboxes.amazon.documents import Document, DocumentStore
from crossdock_local.sandboxes.amazon.feed_check import fatal_reason
from crossdock_local.sandboxes.amazon.listings import ListingStore
from crossdock_local.sandboxes.clock import iso_z

FEED_TYPE = "JSON_LISTINGS_FEED"
QUEUE_S = 5.0
PROCESS_S = 15.0
REPORT_CONTENT_TYPE = "application/json; charset=UTF-8"


@dataclass
class Feed:
    feed_id: str
    shop_id: str
    seller_id: str
    marketplace_ids: list[str]
    document_id: str
    created_at: datetime
    created_mono: float
    status: str = "IN_QUEUE"
    started_at: datetime | None = None
    ended_at: datetime | None = None
    result_document_id: str | None = None
    fatal_reason: str | None = None

    def render(self) -> dict[str, Any]:
        rendered: dict[str, Any] = {
            "feedId": self.feed_id,
            "feedType": FEED_TYPE,
            "marketplaceIds": self.marketplace_ids,
            "createdTime": iso_z(self.created_at),
            "processingStatus": self.status,
        }
        if self.started_at:
            rendered["processingStartTime"] = iso_z(self.started_at)
        if self.ended_at:
            rendered["processingEndTime"] = iso_z(self.ended_at)
        if self.result_document_id:
            rendered["resultFeedDocumentId"] = self.result_document_id
        return rendered


def _feed_issue(message: str, code: str = "90001") -> dict[str, Any]:
    return {"code": code, "severity": "ERROR", "message": message}


@dataclass(frozen=True)
class ForcedFatal:
    """Why a scripted FATAL feed failed: its report's one issue."""

    message: str
    code: str


@dataclass
class FeedProcessor:
    listings: ListingStore
    documents: DocumentStore
    rate_scale: float = 1.0
    compress_reports: bool = True
    hold: bool = False  # keep feeds IN_PROGRESS (a slow Amazon) until released
    feeds: dict[str, Feed] = field(default_factory=dict)
    fatal_next: dict[str, list[ForcedFatal]] = field(default_factory=dict)  # shop → its next feeds
    _next_id: int = 50_001_019_000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, shop_id: str, seller_id: str, marketplace_ids: list[str], document: Document) -> Feed:
        with self._lock:
            self._next_id += 1
            feed = Feed(
                str(self._next_id),
                shop_id,
                seller_id,
                marketplace_ids,
                document.document_id,
                datetime.now(UTC),
                time.monotonic(),
            )
            self.feeds[feed.feed_id] = feed
        return feed

    def fail_next(self, shop_id: str, count: int, message: str, code: str) -> None:
        """The shop's next `count` feeds to be processed end FATAL with this issue."""
        with self._lock:
            self.fatal_next.setdefault(shop_id, []).extend([ForcedFatal(message, code)] * count)

    def advance(self) -> None:
        """Move every feed on by the time that passed; process those whose time has come."""
        now = time.monotonic()
        with self._lock:
            for feed in self.feeds.values():
                if feed.status not in ("IN_QUEUE", "IN_PROGRESS"):
                    continue
                elapsed = (now - feed.created_mono) * self.rate_scale
                if elapsed >= QUEUE_S and feed.status == "IN_QUEUE":
                    feed.status, feed.started_at = "IN_PROGRESS", datetime.now(UTC)
                if elapsed >= QUEUE_S + PROCESS_S and not self.hold:
                    self._process(feed)

    def _process(self, feed: Feed) -> None:
        document = self.documents.get(feed.document_id)
        content, reason = fatal_reason(document.body if document else None, feed.seller_id)
        forced = self.fatal_next.get(feed.shop_id)
        issue = _feed_issue(reason) if reason else None
        if forced:
            issue = _feed_issue(forced[0].message, forced[0].code)
            del forced[0]
        if content is None or issue is not None:
            report, feed.status = self._report(feed, [issue or _feed_issue("")], 0, 0), "FATAL"
        else:
            report, feed.status = self._apply(feed, content["messages"]), "DONE"
        feed.ended_at = datetime.now(UTC)
        raw = json.dumps(report, ensure_ascii=False).encode("utf-8")
        compression = "GZIP" if self.compress_reports else None
        body = gzip.compress(raw) if compression else raw
        feed.result_document_id = self.documents.create(
            feed.shop_id, REPORT_CONTENT_TYPE, body, compression
        ).document_id

    def _apply(self, feed: Feed, messages: list[dict[str, Any]]) -> dict[str, Any]:
        issues: list[dict[str, Any]] = []
        seen: set[int] = set()
        invalid = 0
        for message in messages:
            message_id, sku = message["messageId"], message["sku"]
            if message_id in seen:
                found = [_feed_issue(f"messageId {message_id} is used more than once in this feed.")]
            elif message["operationType"] not in ("PATCH", "PARTIAL_UPDATE"):
                found = [_feed_issue(f"operationType {message['operationType']} is not supported here.")]
            else:
                patches = message.get("patches") or [
                    {"op": "replace", "path": f"/attributes/{name}", "value": value}
                    for name, value in (message.get("attributes") or {}).items()
                ]
                problems = self.listings.apply(feed.shop_id, sku, message.get("productType"), patches)
                found = [problem.report_issue() for problem in problems]
            seen.add(message_id)
            invalid += bool(found)
            issues.extend({"messageId": message_id, "sku": sku, **issue} for issue in found)
        return self._report(feed, issues, len(messages), len(messages) - invalid)

    @staticmethod
    def _report(feed: Feed, issues: list[dict[str, Any]], processed: int, accepted: int) -> dict[str, Any]:
        summary = {
            "errors": sum(1 for i in issues if i["severity"] == "ERROR"),
            "warnings": sum(1 for i in issues if i["severity"] == "WARNING"),
            "messagesProcessed": processed,
            "messagesAccepted": accepted,
            "messagesInvalid": processed - accepted,
        }
        header = {"sellerId": feed.seller_id, "version": "2.0", "feedId": feed.feed_id}
        return {"header": header, "issues": issues, "summary": summary}
