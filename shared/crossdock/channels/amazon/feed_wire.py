"""Feeds API 2021-06-30 answers → the values the feed flow needs, or one typed fault.

createFeedDocument (201) must carry `feedDocumentId` and `url`; createFeed (202) a `feedId`; getFeed
a known `processingStatus`, and `resultFeedDocumentId` once DONE; getFeedDocument a `url` (and
`compressionAlgorithm` when the report is compressed). Anything less is an InvalidResponseError
(retried), never an empty result. A createFeed rate granted in `x-amzn-RateLimit-Limit` is followed
only up to JSON_LISTINGS_FEED's own 5 feeds per 5 minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import requests

from crossdock.channels.amazon.normalize import CHANNEL
from crossdock.channels.amazon.spapi import sp_api_json
from crossdock.core.errors import InvalidResponseError

if TYPE_CHECKING:
    from crossdock.core.http import ChannelHttp

CREATE_DOCUMENT = "createFeedDocument"
CREATE_FEED = "createFeed"
GET_FEED = "getFeed"
GET_DOCUMENT = "getFeedDocument"
FEED_TYPE_RATE = 5 / 300  # JSON_LISTINGS_FEED: 5 submissions per 5 minutes per region
FINISHED = frozenset({"DONE", "FATAL", "CANCELLED"})
STATUSES = FINISHED | {"IN_QUEUE", "IN_PROGRESS"}


def _field(body: dict[str, Any], name: str, operation: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidResponseError(CHANNEL, f"{operation} answered without {name}: {str(body)[:200]}")
    return value


def parse_created_document(http: ChannelHttp, response: requests.Response) -> tuple[str, str]:
    """The new document's id and its presigned upload URL."""
    body = sp_api_json(http, CREATE_DOCUMENT, response, statuses=(201, 200))
    return _field(body, "feedDocumentId", CREATE_DOCUMENT), _field(body, "url", CREATE_DOCUMENT)


def parse_created_feed(http: ChannelHttp, response: requests.Response) -> str:
    try:
        body = sp_api_json(http, CREATE_FEED, response, statuses=(202, 200))
        return _field(body, "feedId", CREATE_FEED)
    finally:
        if http.bucket(CREATE_FEED).rate.per_second > FEED_TYPE_RATE * http.rate_scale:
            http.observe_rate(CREATE_FEED, FEED_TYPE_RATE)


def parse_feed(http: ChannelHttp, response: requests.Response) -> dict[str, Any]:
    feed = sp_api_json(http, GET_FEED, response)
    status = feed.get("processingStatus")
    if status not in STATUSES or (status == "DONE" and not feed.get("resultFeedDocumentId")):
        raise InvalidResponseError(CHANNEL, f"{GET_FEED} answered {status!r} without its result")
    return feed


def parse_document(http: ChannelHttp, response: requests.Response) -> tuple[str, str | None]:
    """The report's presigned download URL and its compression algorithm, if any."""
    body = sp_api_json(http, GET_DOCUMENT, response)
    compression = body.get("compressionAlgorithm")
    return _field(body, "url", GET_DOCUMENT), str(compression) if compression else None
