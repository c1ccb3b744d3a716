"""Amazon stock writer, per-SKU path: patchListingsItem requests, outcome and error mapping, the feed
threshold, updates refused before sending, and the getListingsItem read-back."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from crossdock.channels.amazon.s3 import raise_for_s3_error
from crossdock.channels.amazon.stock import AmazonStockWriter
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    RequestRejectedError,
    RetriesExhaustedError,
    RetryableError,
    ThrottledError,
)
from crossdock.stock.rules.sellable import Listing, PushOutcome, QuantityUpdate
from requests import Response

from tests.support.amazon_sp import (
    API,
    MARKETPLACE,
    SELLER,
    add_token,
    shop_context,
    sp_error,
    update,
    url_of,
)

ITEMS = f"{API}/listings/2021-08-01/items/{SELLER}"


def accepted(sku: str) -> dict[str, object]:
    return {"sku": sku, "status": "ACCEPTED", "submissionId": "f1dc2914", "issues": []}


@responses.activate
def test_a_patch_sets_the_default_quantity_of_the_url_encoded_sku() -> None:
    # Given
    add_token(responses.mock)
    responses.add(responses.PATCH, f"{ITEMS}/SKU%2F1%20x%2By%23", json=accepted("SKU/1 x+y#"))
    writer = AmazonStockWriter(shop_context())
    # When
    outcomes = writer.push([update("SKU/1 x+y#", 12, product_type="SHOES")])
    # Then
    assert [(o.status, o.detail) for o in outcomes] == [("accepted", "submission f1dc2914")]
    sent = responses.calls[1].request
    assert parse_qs(urlsplit(url_of(responses.calls[1])).query) == {"marketplaceIds": [MARKETPLACE]}
    assert sent.headers["x-amz-access-token"] == "Atza|t1"
    assert json.loads(sent.body or b"") == {
        "productType": "SHOES",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 12}],
            }
        ],
    }


@responses.activate
def test_invalid_submissions_and_per_sku_400s_are_rejected_without_stopping_the_rest() -> None:
    # Given
    add_token(responses.mock)
    invalid = {
        "sku": "B",
        "status": "INVALID",
        "submissionId": "x",
        "issues": [
            {"code": "90000900", "message": "The attributes are invalid.", "severity": "ERROR"},
            {"code": "18448", "message": "incomplete", "severity": "WARNING"},
        ],
    }
    responses.add(responses.PATCH, f"{ITEMS}/A", json=accepted("A"))
    responses.add(responses.PATCH, f"{ITEMS}/B", json=invalid)
    responses.add(responses.PATCH, f"{ITEMS}/C", status=400, json=sp_error("InvalidInput", "bad sku"))
    responses.add(responses.PATCH, f"{ITEMS}/D", json=accepted("D"))
    writer = AmazonStockWriter(shop_context())
    # When
    outcomes = writer.push([update(sku, 1) for sku in "ABCD"])
    # Then
    assert [o.status for o in outcomes] == ["accepted", "rejected", "rejected", "accepted"]
    assert (outcomes[1].code, outcomes[1].detail) == ("90000900", "90000900: The attributes are invalid.")
    assert outcomes[2].code == "InvalidInput" and "InvalidInput" in outcomes[2].detail


@responses.activate
def test_an_invalid_submission_for_amazons_internal_error_fails_to_be_retried() -> None:
    # Given
    add_token(responses.mock)
    internal = {"code": "4000000", "message": "An internal error has occurred. Please try again."}
    invalid = {
        "sku": "A",
        "status": "INVALID",
        "submissionId": "x",
        "issues": [{**internal, "severity": "ERROR"}],
    }
    responses.add(responses.PATCH, f"{ITEMS}/A", json=invalid)
    writer = AmazonStockWriter(shop_context())
    # When
    outcomes = writer.push([update("A", 1)])
    # Then
    assert [(o.status, o.code, o.detail) for o in outcomes] == [
        ("failed", "4000000", "4000000: An internal error has occurred. Please try again.")
    ]


@responses.activate
def test_a_refused_token_is_refreshed_once_then_auth_fails_without_a_retry_storm() -> None:
    # Given
    add_token(responses.mock)
    add_token(responses.mock, "Atza|t2")
    denied = sp_error("Unauthorized", "Access to requested resource is denied.")
    responses.add(responses.PATCH, f"{ITEMS}/A", status=403, json=denied)
    writer = AmazonStockWriter(shop_context(attempts=5))
    writer.api.lwa.access_token()
    # When
    with pytest.raises(AuthError):
        writer.push([update("A", 1)])
    # Then
    methods = [call.request.method for call in responses.calls]
    assert methods == ["POST", "PATCH", "POST", "PATCH"]


class Recorder:
    """Stands in for both paths: records which one each update took."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def patch(self, u: QuantityUpdate, marketplace: str, product_type: str) -> PushOutcome:
        self.calls.append(("patch", [u.listing.sku]))
        return PushOutcome(u, "accepted")

    def push(self, batch: list[QuantityUpdate], types: list[str], marketplace: str) -> list[PushOutcome]:
        self.calls.append(("feed", [u.listing.sku for u in batch]))
        return [PushOutcome(u, "accepted") for u in batch]


def recorded(writer: AmazonStockWriter) -> Recorder:
    recorder = Recorder()
    writer.items = writer.feeds = recorder  # type: ignore[assignment]
    return recorder


@pytest.mark.parametrize(("count", "threshold", "patches"), [(5, 5, 5), (6, 5, 0), (2, 1, 0), (1, 1, 1)])
def test_more_updates_than_the_threshold_go_as_a_feed(count: int, threshold: int, patches: int) -> None:
    # Given
    writer = AmazonStockWriter(shop_context(feed_threshold=threshold))
    recorder = recorded(writer)
    # When
    outcomes = writer.push([update(f"S{i}", i) for i in range(count)])
    # Then
    paths = [path for path, _ in recorder.calls]
    assert paths == ["patch"] * patches if patches else paths == ["feed"]
    assert [o.update.listing.sku for o in outcomes] == [f"S{i}" for i in range(count)]


def test_updates_beyond_max_batch_go_as_several_feeds_none_split() -> None:
    # Given
    writer = AmazonStockWriter(shop_context(feed_threshold=1))
    writer.max_batch = 3
    recorder = recorded(writer)
    # When
    outcomes = writer.push([update(f"S{i}", i) for i in range(7)])
    # Then
    assert recorder.calls == [("feed", ["S0", "S1", "S2"]), ("feed", ["S3", "S4", "S5"]), ("feed", ["S6"])]
    assert [o.update.listing.sku for o in outcomes] == [f"S{i}" for i in range(7)]


def test_each_marketplace_is_its_own_feed_or_patches() -> None:
    # Given
    writer = AmazonStockWriter(shop_context(feed_threshold=2))
    recorder = recorded(writer)
    batch = [update(f"U{i}", i) for i in range(3)] + [update("C0", 1, marketplace_id="A2EUQ1WTGCTBG2")]
    # When
    writer.push(batch)
    # Then
    assert recorder.calls == [("feed", ["U0", "U1", "U2"]), ("patch", ["C0"])]


@responses.activate
def test_an_update_without_product_type_is_rejected_unsent_and_an_older_duplicate_is_stale() -> None:
    # Given
    add_token(responses.mock)
    responses.add(responses.PATCH, f"{ITEMS}/A", json=accepted("A"))
    writer = AmazonStockWriter(shop_context())
    no_type = update("B", 3, product_type="")
    # When
    outcomes = writer.push([update("A", 9, version=4), no_type, update("A", 5, version=3)])
    # Then
    assert [o.status for o in outcomes] == ["accepted", "rejected", "stale"]
    assert "product_type" in outcomes[1].detail
    assert outcomes[2].detail == "superseded by version 4 of the same SKU in this push"
    patched = [c.request for c in responses.calls if c.request.method == "PATCH"]
    assert len(patched) == 1
    assert json.loads(patched[0].body or b"")["patches"][0]["value"][0]["quantity"] == 9


def test_a_shop_without_seller_id_cannot_have_a_writer() -> None:
    # Given
    context = shop_context(seller_id="")
    # When / Then
    with pytest.raises(RequestRejectedError, match="seller_id"):
        AmazonStockWriter(context)


@responses.activate
def test_read_back_returns_the_default_quantity_and_leaves_out_unknown_skus() -> None:
    # Given
    add_token(responses.mock)
    availability = [
        {"fulfillmentChannelCode": "AMAZON_NA"},
        {"fulfillmentChannelCode": "DEFAULT", "quantity": 7},
    ]
    responses.add(responses.GET, f"{ITEMS}/A", json={"sku": "A", "fulfillmentAvailability": availability})
    responses.add(responses.GET, f"{ITEMS}/B", status=404, json=sp_error("NotFound", "SKU 'B' not found."))
    responses.add(responses.GET, f"{ITEMS}/C", json={"sku": "C", "fulfillmentAvailability": []})
    writer = AmazonStockWriter(shop_context())
    listings = [update(sku, 0).listing for sku in "ABC"]
    # When
    shown = writer.read(listings)
    # Then
    assert shown == {"amazon#s1#A": 7, "amazon#s1#C": 0}
    query = parse_qs(urlsplit(url_of(responses.calls[1])).query)
    assert query == {"marketplaceIds": [MARKETPLACE], "includedData": ["fulfillmentAvailability"]}


@responses.activate
def test_read_back_never_reads_a_gateway_404_or_a_bare_200_as_a_quantity() -> None:
    # Given
    add_token(responses.mock)
    responses.add(responses.GET, f"{ITEMS}/A", status=404, body="<html>Not Found</html>")
    responses.add(responses.GET, f"{ITEMS}/B", json={"sku": "B"})
    writer = AmazonStockWriter(shop_context())
    listing_a, listing_b = (Listing(s, "amazon", "s1", {"product_type": "X"}) for s in "AB")
    # When / Then
    with pytest.raises(RequestRejectedError):
        writer.read([listing_a])
    with pytest.raises(RetriesExhaustedError):
        writer.read([listing_b])


def s3_reply(status: int, code: str) -> Response:
    response = Response()
    response.status_code = status
    response._content = f"<Error><Code>{code}</Code><Message>m</Message></Error>".encode()
    return response


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (403, "AccessDenied", RequestRejectedError),
        (403, "SignatureDoesNotMatch", RequestRejectedError),
        (503, "SlowDown", ThrottledError),
        (500, "InternalError", RetryableError),
    ],
)
def test_s3_errors_of_the_presigned_urls_map_to_typed_faults(status: int, code: str, expected: type) -> None:
    # Given
    response = s3_reply(status, code)
    # When / Then
    with pytest.raises(expected) as caught:
        raise_for_s3_error("uploadFeedDocument", response)
    error = caught.value
    assert isinstance(error, ChannelError) and type(error) is expected and error.code == code
