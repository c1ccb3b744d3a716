"""The JSON_LISTINGS_FEED flow against scripted SP-API and S3 answers: the calls in order and their
shapes, polling at the documented rate within the configured wait, DONE/FATAL/CANCELLED/pending."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
import responses
from crossdock.channels.amazon.stock import AmazonStockWriter
from crossdock.core.errors import RequestRejectedError
from crossdock.core.http import PACING_MARGIN
from jsonschema import Draft7Validator

from tests.support.amazon_sp import (
    API,
    MARKETPLACE,
    SELLER,
    ManualClock,
    add_token,
    shop_context,
    update,
    url_of,
)

FEED_SCHEMA = Draft7Validator(
    json.loads(
        (
            Path(__file__).resolve().parents[2] / "contracts/models/amazon/listings-feed-schema-v2.json"
        ).read_text()
    )
)
DOCUMENTS = f"{API}/feeds/2021-06-30/documents"
FEEDS = f"{API}/feeds/2021-06-30/feeds"
UPLOAD_URL = "https://tortuga-prod-na.s3-external-1.amazonaws.com/%2FNinetyDays/amzn1.tortuga.4.na.in"
REPORT_URL = "https://tortuga-prod-na.s3-external-1.amazonaws.com/%2FNinetyDays/amzn1.tortuga.4.na.out"
SIGNED = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc"


def feed(status: str, result: bool = False) -> dict[str, Any]:
    body = {"feedId": "501", "feedType": "JSON_LISTINGS_FEED", "createdTime": "2026-01-01T00:00:00Z"}
    return {**body, "processingStatus": status, **({"resultFeedDocumentId": "amzn1.out"} if result else {})}


def script_feed(statuses: list[str], report: dict[str, Any] | None, *, compress: bool = True) -> None:
    """createFeedDocument → PUT → createFeed → getFeed × statuses → getFeedDocument → report."""
    add_token(responses.mock)
    responses.add(
        responses.POST, DOCUMENTS, status=201, json={"feedDocumentId": "amzn1.in", "url": UPLOAD_URL + SIGNED}
    )
    responses.add(responses.PUT, UPLOAD_URL, status=200, body=b"")
    responses.add(
        responses.POST,
        FEEDS,
        status=202,
        json={"feedId": "501"},
        headers={"x-amzn-RateLimit-Limit": "0.0083"},
    )
    for status in statuses:
        responses.add(
            responses.GET,
            f"{FEEDS}/501",
            json=feed(status, report is not None and status in ("DONE", "FATAL")),
        )
    if report is not None:
        document = {
            "feedDocumentId": "amzn1.out",
            "url": REPORT_URL + SIGNED,
            **({"compressionAlgorithm": "GZIP"} if compress else {}),
        }
        responses.add(responses.GET, f"{DOCUMENTS}/amzn1.out", json=document)
        raw = json.dumps(report).encode()
        responses.add(responses.GET, REPORT_URL, body=gzip.compress(raw) if compress else raw)


def report(issues: list[dict[str, Any]], processed: int) -> dict[str, Any]:
    summary = {"errors": len(issues), "warnings": 0, "messagesProcessed": processed}
    summary |= {"messagesAccepted": processed - len(issues), "messagesInvalid": len(issues)}
    return {
        "header": {"sellerId": SELLER, "version": "2.0", "feedId": "501"},
        "issues": issues,
        "summary": summary,
    }


def writer(clock: ManualClock, **settings: Any) -> AmazonStockWriter:
    return AmazonStockWriter(shop_context(feed_threshold=1, **settings), sleep=clock.sleep, clock=clock)


@responses.activate
@pytest.mark.parametrize("compress", [True, False])
def test_a_feed_goes_document_upload_feed_poll_report_with_per_message_outcomes(compress: bool) -> None:
    # Given
    issue = {"messageId": 2, "sku": "B", "code": "99011", "severity": "ERROR", "message": "quantity"}
    script_feed(["IN_QUEUE", "IN_PROGRESS", "DONE"], report([issue], 3), compress=compress)
    clock = ManualClock()
    # When
    outcomes = writer(clock).push([update("A", 1), update("B", -1), update("C", 3)])
    # Then
    assert [(o.status, o.detail) for o in outcomes] == [
        ("accepted", "feed 501"),
        ("rejected", "99011: quantity"),
        ("accepted", "feed 501"),
    ]
    calls = [(c.request.method, url_of(c).split("?")[0]) for c in responses.calls]
    assert calls == [
        ("POST", "https://api.amazon.com/auth/o2/token"),
        ("POST", DOCUMENTS),
        ("PUT", UPLOAD_URL),
        ("POST", FEEDS),
        *[("GET", f"{FEEDS}/501")] * 3,
        ("GET", f"{DOCUMENTS}/amzn1.out"),
        ("GET", REPORT_URL),
    ]
    assert clock.sleeps == [30.0, 10.0, 10.0]  # the first poll after 30 s, then every 10 s


@responses.activate
def test_the_upload_is_a_plain_put_of_a_valid_document_and_the_feed_names_it() -> None:
    # Given
    script_feed(["DONE"], report([], 2))
    # When
    writer(ManualClock()).push([update("A/1", 5, product_type="SHOES"), update("B", 0)])
    # Then
    created, put, spec = (responses.calls[i].request for i in (1, 2, 3))
    assert json.loads(created.body or b"") == {"contentType": "application/json; charset=UTF-8"}
    assert put.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert "x-amz-access-token" not in put.headers
    assert put.url == UPLOAD_URL + SIGNED
    document = json.loads(put.body or b"")
    assert not list(FEED_SCHEMA.iter_errors(document))
    assert [(m["messageId"], m["sku"], m["productType"]) for m in document["messages"]] == [
        (1, "A/1", "SHOES"),
        (2, "B", "LUGGAGE"),
    ]
    assert json.loads(spec.body or b"") == {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [MARKETPLACE],
        "inputFeedDocumentId": "amzn1.in",
    }


@responses.activate
def test_fatal_fails_every_update_with_the_reason_from_its_report() -> None:
    # Given
    fatal = report([{"severity": "ERROR", "message": "The feed document does not match the schema"}], 0)
    script_feed(["FATAL"], fatal)
    # When
    outcomes = writer(ManualClock()).push([update("A", 1), update("B", 2)])
    # Then
    assert {(o.status, o.code) for o in outcomes} == {("failed", "FATAL")}
    assert outcomes[0].detail == (
        "feed 501 FATAL: messagesProcessed 0, errors 1: The feed document does not match the schema"
    )


@responses.activate
def test_cancelled_fails_every_update() -> None:
    # Given
    script_feed(["CANCELLED"], None)
    # When
    outcomes = writer(ManualClock()).push([update("A", 1), update("B", 2)])
    # Then
    assert [(o.status, o.code, o.detail) for o in outcomes] == [
        ("failed", "CANCELLED", "feed 501 CANCELLED")
    ] * 2


@responses.activate
def test_a_fatal_feed_whose_report_cannot_be_fetched_is_still_fatal() -> None:
    # Given
    script_feed(["FATAL"], report([], 0))
    responses.replace(
        responses.GET, REPORT_URL, status=500, body=b"<Error><Code>InternalError</Code></Error>"
    )
    # When
    outcomes = writer(ManualClock()).push([update("A", 1), update("B", 2)])
    # Then
    assert [(o.status, o.code, o.detail) for o in outcomes] == [("failed", "FATAL", "feed 501 FATAL")] * 2


@responses.activate
def test_per_message_refusals_carry_amazons_code_permanent_rejected_transient_failed() -> None:
    # Given
    issues = [
        {"messageId": 1, "sku": "A", "code": "8560", "severity": "ERROR", "message": "no ASIN"},
        {"messageId": 2, "sku": "B", "code": "4000000", "severity": "ERROR", "message": "Please try again."},
    ]
    script_feed(["DONE"], report(issues, 3))
    # When
    outcomes = writer(ManualClock()).push([update("A", 1), update("B", 2), update("C", 3)])
    # Then
    assert [(o.status, o.code, o.detail) for o in outcomes] == [
        ("rejected", "8560", "8560: no ASIN"),
        ("failed", "4000000", "4000000: Please try again."),
        ("accepted", "", "feed 501"),
    ]


@responses.activate
def test_a_feed_still_processing_after_the_max_wait_is_pending_and_settles_later() -> None:
    # Given
    script_feed(["IN_PROGRESS"] * 4, None)
    responses.add(responses.GET, f"{FEEDS}/501", json=feed("DONE", True))
    responses.add(
        responses.GET, f"{DOCUMENTS}/amzn1.out", json={"feedDocumentId": "amzn1.out", "url": REPORT_URL}
    )
    responses.add(responses.GET, REPORT_URL, json=report([], 2))
    clock = ManualClock()
    stock = writer(clock, feed_first_poll_s=2, feed_poll_interval_s=3, feed_max_wait_s=10)
    batch = [update("A", 1), update("B", 2)]
    # When
    pending = stock.push(batch)
    settled = stock.feeds.outcomes("501", batch)
    # Then
    assert [(o.status, o.code, o.detail) for o in pending] == [("failed", "", "feed pending 501")] * 2
    assert clock.sleeps == [2.0, 3.0, 3.0, 2.0]  # polls at 2, 5, 8 and 10 s: bounded by the max wait
    assert [o.status for o in settled] == ["accepted", "accepted"]


def test_the_poll_interval_never_beats_getfeeds_rate_and_shrinks_with_rate_scale() -> None:
    # Given
    context = shop_context(feed_first_poll_s=20, feed_poll_interval_s=0.1, feed_max_wait_s=30)
    context.http.rate_scale = 10.0
    # When
    stock = AmazonStockWriter(context)
    # Then
    assert stock.feeds.timing.poll_interval_s == pytest.approx(0.5 / 10)
    assert stock.feeds.timing.first_poll_s == pytest.approx(2.0)
    assert stock.feeds.timing.max_wait_s == pytest.approx(3.0)


@responses.activate
def test_a_granted_createfeed_rate_never_lifts_the_json_listings_feed_limit() -> None:
    # Given
    script_feed(["DONE"], report([], 1))
    responses.replace(
        responses.POST, FEEDS, status=202, json={"feedId": "501"}, headers={"x-amzn-RateLimit-Limit": "0.5"}
    )
    stock = writer(ManualClock())
    # When
    stock.push([update("A", 1), update("B", 2)])
    # Then
    assert stock.api.http.bucket("createFeed").rate.per_second == pytest.approx(5 / 300 * PACING_MARGIN)


@responses.activate
def test_an_expired_upload_url_fails_the_push_as_a_rejected_request() -> None:
    # Given
    script_feed([], None)
    expired = "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
    responses.replace(responses.PUT, UPLOAD_URL, status=403, body=expired)
    # When / Then
    with pytest.raises(RequestRejectedError, match="AccessDenied"):
        writer(ManualClock()).push([update("A", 1), update("B", 2)])
