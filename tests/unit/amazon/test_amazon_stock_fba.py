"""FBA summaries: only fulfillable is sellable, details are mandatory, every page is read with the
nextToken percent-encoded, and an expired token restarts the listing once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from crossdock.channels.amazon.fba import AmazonFba, parse_summaries, to_summary
from crossdock.core.errors import InvalidResponseError, RequestRejectedError
from crossdock.stock.rules.counts import RefusedSummary
from crossdock.stock.rules.sellable import FbaSummary

from tests.support.amazon_sp import API, MARKETPLACE, add_token, shop_context, sp_error, url_of

SUMMARIES = f"{API}/fba/inventory/v1/summaries"
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def raw_summary(sku: str, fulfillable: int = 30) -> dict[str, Any]:
    return {
        "asin": "B0TEST",
        "fnSku": "X00TEST",
        "sellerSku": sku,
        "condition": "NewItem",
        "lastUpdatedTime": "2024-05-01T10:00:00Z",
        "totalQuantity": fulfillable + 12,
        "inventoryDetails": {
            "fulfillableQuantity": fulfillable,
            "inboundWorkingQuantity": 5,
            "inboundShippedQuantity": 4,
            "inboundReceivingQuantity": 1,
            "reservedQuantity": {"totalReservedQuantity": 2, "pendingCustomerOrderQuantity": 1},
            "researchingQuantity": {"totalResearchingQuantity": 3, "researchingQuantityBreakdown": []},
            "unfulfillableQuantity": {"totalUnfulfillableQuantity": 7, "customerDamagedQuantity": 7},
        },
    }


def page(*skus: str, token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "payload": {
            "granularity": {"granularityType": "Marketplace", "granularityId": MARKETPLACE},
            "inventorySummaries": [raw_summary(sku) for sku in skus],
        }
    }
    if token:
        body["pagination"] = {"nextToken": token}
    return body


def reader() -> AmazonFba:
    context = shop_context()
    context.now = lambda: NOW
    return AmazonFba(context)


def sent_queries() -> list[dict[str, list[str]]]:
    return [parse_qs(urlsplit(url_of(c)).query) for c in responses.calls if "summaries" in url_of(c)]


def test_only_fulfillable_is_sellable_and_the_rest_is_reported() -> None:
    # Given
    raw = raw_summary("SKU-1", fulfillable=30)
    # When
    summary = to_summary(raw)
    # Then
    assert summary == FbaSummary(
        "SKU-1", fulfillable=30, inbound=10, reserved=2, researching=3, unfulfillable=7
    )
    assert summary.details == raw


def test_a_summary_without_details_is_never_read_as_zero_fulfillable() -> None:
    # Given a summary without inventoryDetails, and one whose details lack fulfillableQuantity
    raw = raw_summary("SKU-1")
    del raw["inventoryDetails"]
    bare = {**raw_summary("SKU-2"), "inventoryDetails": {"inboundWorkingQuantity": 3}}
    # When / Then the first is an incomplete answer (its page is retried), the second is refused by name
    with pytest.raises(InvalidResponseError, match="SKU-1"):
        to_summary(raw)
    assert to_summary(bare, "amz-us") == RefusedSummary(
        "SKU-2", ("FBA fulfillableQuantity for SKU SKU-2 in shop amz-us is missing",)
    )


def test_counts_that_are_not_whole_numbers_refuse_their_summary_and_only_it() -> None:
    # Given a page where one summary has a negative fulfillable count and a fractional inbound part
    # (which a sum would hide), and another has text as its reserved total
    bad = raw_summary("BAD-1")
    bad["inventoryDetails"].update(fulfillableQuantity=-3, inboundShippedQuantity=2.5)
    text = raw_summary("BAD-2")
    text["inventoryDetails"]["reservedQuantity"]["totalReservedQuantity"] = "abc"
    body = page("GOOD")
    body["payload"]["inventorySummaries"] += [bad, text]
    # When the page is parsed
    summaries, _ = parse_summaries(body, "amz-us")
    # Then the good summary is read, each bad one is refused naming Amazon's field and the value
    assert summaries[0] == FbaSummary(
        "GOOD", fulfillable=30, inbound=10, reserved=2, researching=3, unfulfillable=7
    )
    assert summaries[1:] == [
        RefusedSummary(
            "BAD-1",
            (
                "FBA fulfillableQuantity for SKU BAD-1 in shop amz-us: -3 is negative",
                "FBA inboundShippedQuantity for SKU BAD-1 in shop amz-us: 2.5 is not a whole number "
                "(digits only: no decimal point, no exponent)",
            ),
        ),
        RefusedSummary(
            "BAD-2", ("FBA totalReservedQuantity for SKU BAD-2 in shop amz-us: 'abc' is not a number",)
        ),
    ]


def test_a_summary_without_a_seller_sku_fails_the_read() -> None:
    # Given / When / Then: it cannot be set aside by SKU, and a full read would zero what it holds
    with pytest.raises(InvalidResponseError, match="without sellerSku"):
        to_summary({"inventoryDetails": {"fulfillableQuantity": 1}})


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"payload": {}},
        {"payload": {"inventorySummaries": []}, "pagination": {"nextToken": "more"}},
        {"payload": {"inventorySummaries": [{"asin": "B0"}]}},
    ],
)
def test_a_page_without_its_data_is_an_invalid_response(body: dict[str, Any]) -> None:
    # Given / When / Then
    with pytest.raises(InvalidResponseError):
        parse_summaries(body)


@responses.activate
def test_every_page_is_read_with_the_token_percent_encoded_and_the_start_repeated() -> None:
    # Given
    add_token(responses.mock)
    responses.add(responses.GET, SUMMARIES, json=page("A", "B", token="t+1/x=="))
    responses.add(responses.GET, SUMMARIES, json=page("C", token="t+2/y=="))
    responses.add(responses.GET, SUMMARIES, json=page("D"))
    since = NOW - timedelta(days=1)
    # When
    skus = [s.seller_sku for s in reader().summaries(since)]
    # Then
    assert skus == ["A", "B", "C", "D"]
    first, second, _ = sent_queries()
    assert first == {
        "details": ["true"],
        "granularityType": ["Marketplace"],
        "granularityId": [MARKETPLACE],
        "marketplaceIds": [MARKETPLACE],
        "startDateTime": ["2026-04-30T12:00:00Z"],
    }
    assert second == {**first, "nextToken": ["t+1/x=="]}
    assert "nextToken=t%2B1%2Fx%3D%3D" in url_of(responses.calls[2])


@responses.activate
def test_a_start_older_than_18_months_is_left_out() -> None:
    # Given
    add_token(responses.mock)
    responses.add(responses.GET, SUMMARIES, json=page("A"))
    # When
    list(reader().summaries(NOW - timedelta(days=600)))
    # Then
    assert "startDateTime" not in sent_queries()[0]


@responses.activate
def test_an_expired_token_restarts_the_listing_once_and_yields_each_summary_once() -> None:
    # Given
    add_token(responses.mock)
    expired = sp_error("InvalidInput", "Next token is invalid or expired")
    responses.add(responses.GET, SUMMARIES, json=page("A", token="t1"))
    responses.add(responses.GET, SUMMARIES, status=400, json=expired)
    responses.add(responses.GET, SUMMARIES, json=page("A", token="t2"))
    responses.add(responses.GET, SUMMARIES, json=page("B"))
    # When
    skus = [s.seller_sku for s in reader().summaries()]
    # Then
    assert skus == ["A", "B"]
    assert [q.get("nextToken") for q in sent_queries()] == [None, ["t1"], None, ["t2"]]


@responses.activate
def test_a_second_expiry_or_another_400_is_raised() -> None:
    # Given
    add_token(responses.mock)
    expired = sp_error("InvalidInput", "Next token is invalid or expired")
    for _ in range(2):
        responses.add(responses.GET, SUMMARIES, json=page("A", token="t1"))
        responses.add(responses.GET, SUMMARIES, status=400, json=expired)
    # When / Then
    with pytest.raises(RequestRejectedError, match="expired"):
        list(reader().summaries())
    assert len(sent_queries()) == 4


@responses.activate
def test_the_same_token_twice_is_an_invalid_response_not_an_endless_loop() -> None:
    # Given
    add_token(responses.mock)
    responses.add(responses.GET, SUMMARIES, json=page("A", token="same"))
    responses.add(responses.GET, SUMMARIES, json=page("B", token="same"))
    # When / Then
    with pytest.raises(InvalidResponseError, match="same nextToken"):
        list(reader().summaries())
