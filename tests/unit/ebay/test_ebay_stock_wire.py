"""bulkUpdatePriceQuantity on the wire: the request body, 200/207 entries matched to updates by offerId and
sku (never by position), whole-call errors mapped to typed faults, and the read-back answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from crossdock.channels.ebay.stock_wire import (
    bulk_get_body,
    bulk_update_body,
    offer_url,
    parse_bulk_get,
    parse_bulk_update,
    parse_offer,
)
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
    ThrottledError,
)
from crossdock.stock.rules.sellable import Listing, QuantityUpdate


def update(sku: str, offer_id: str, quantity: int) -> QuantityUpdate:
    listing = Listing(sku, "ebay", "shop-1", {"sku": sku, "offer_id": offer_id})
    return QuantityUpdate(listing, quantity, version=7)


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    response.headers.update({"Content-Type": "application/json", **(headers or {})})
    return response


def error(error_id: int, message: str, category: str = "REQUEST") -> dict[str, Any]:
    return {"errorId": error_id, "domain": "API_INVENTORY", "category": category, "message": message}


UPDATES = [
    update("SKU-1", "9483012010", 12),
    update("SKU-2", "9483012011", 0),
    update("SKU-3", "9483012012", 5),
]


def test_each_update_sets_the_same_quantity_on_item_and_offer_and_never_a_price() -> None:
    # When
    body = bulk_update_body(UPDATES[:2])

    # Then
    assert body == {
        "requests": [
            {
                "sku": "SKU-1",
                "shipToLocationAvailability": {"quantity": 12},
                "offers": [{"offerId": "9483012010", "availableQuantity": 12}],
            },
            {
                "sku": "SKU-2",
                "shipToLocationAvailability": {"quantity": 0},
                "offers": [{"offerId": "9483012011", "availableQuantity": 0}],
            },
        ]
    }


def test_a_call_carries_one_to_twenty_five_requests() -> None:
    # Given
    many = [update(f"S{i}", str(1000 + i), i) for i in range(26)]

    # When / Then
    assert len(bulk_update_body(many[:25])["requests"]) == 25
    with pytest.raises(ValueError, match=r"1\.\.25"):
        bulk_update_body(many)
    with pytest.raises(ValueError, match=r"1\.\.25"):
        bulk_update_body([])
    assert bulk_get_body(["A", "B"]) == {"requests": [{"sku": "A"}, {"sku": "B"}]}
    with pytest.raises(ValueError, match=r"1\.\.25"):
        bulk_get_body([f"S{i}" for i in range(26)])


def test_a_200_accepts_every_update() -> None:
    # Given
    body = {
        "responses": [
            {"sku": u.listing.sku, "offerId": u.listing.ref["offer_id"], "statusCode": 200} for u in UPDATES
        ]
    }

    # When
    outcomes = parse_bulk_update("ebay", answer(200, body), UPDATES)

    # Then
    assert [(o.update, o.status, o.detail) for o in outcomes] == [(u, "accepted", "") for u in UPDATES]


def test_a_207_is_read_per_entry_matched_by_offer_id_and_sku_not_by_position() -> None:
    # Given: entries in another order than the requests, one warning, one invalid quantity, one system error
    body = {
        "responses": [
            {
                "sku": "SKU-3",
                "offerId": "9483012012",
                "statusCode": 500,
                "errors": [error(25001, "A system error has occurred.", "APPLICATION")],
            },
            {
                "sku": "SKU-1",
                "offerId": "9483012010",
                "statusCode": 200,
                "warnings": [error(25401, "Invalid listing format removed.")],
            },
            {
                "sku": "SKU-2",
                "offerId": "9483012011",
                "statusCode": 400,
                "errors": [error(25709, "Invalid value for quantity.")],
            },
        ]
    }

    # When
    outcomes = parse_bulk_update("ebay", answer(207, body), UPDATES)

    # Then
    assert [(o.update.listing.sku, o.status, o.detail) for o in outcomes] == [
        ("SKU-1", "accepted", "25401: Invalid listing format removed."),
        ("SKU-2", "rejected", "25709: Invalid value for quantity."),
        ("SKU-3", "failed", "25001: A system error has occurred."),
    ]


def test_an_item_level_entry_counts_with_the_offer_entry_and_a_refusal_at_either_level_rejects() -> None:
    # Given: eBay reports the ship-to-home quantity (sku only) apart from the offer (offerId)
    body = {
        "responses": [
            {"sku": "SKU-1", "offerId": "9483012010", "statusCode": 200},
            {
                "sku": "SKU-1",
                "statusCode": 400,
                "errors": [
                    error(
                        25759,
                        "shipToLocationAvailability quantity value should be greater than or equal to auction allocation.",
                    )
                ],
            },
            {"sku": "SKU-2", "statusCode": 200},
            {"sku": "SKU-2", "offerId": "9483012011", "statusCode": 200},
        ]
    }

    # When
    outcomes = parse_bulk_update("ebay", answer(207, body), UPDATES[:2])

    # Then
    assert [o.status for o in outcomes] == ["rejected", "accepted"]
    assert outcomes[0].detail.startswith("25759: shipToLocationAvailability quantity")


def test_an_update_without_an_entry_failed_and_another_offer_of_the_sku_is_not_its_answer() -> None:
    # Given: SKU-2 answered only for a different offer id; SKU-3 not at all
    body = {
        "responses": [
            {"sku": "SKU-1", "offerId": "9483012010", "statusCode": 200},
            {"sku": "SKU-2", "offerId": "5550000001", "statusCode": 200},
        ]
    }

    # When
    outcomes = parse_bulk_update("ebay", answer(207, body), UPDATES)

    # Then
    assert [o.status for o in outcomes] == ["accepted", "failed", "failed"]
    assert outcomes[2].detail == "no answer for sku SKU-3 / offer 9483012012"


def test_user_errors_reject_and_a_throttled_entry_fails() -> None:
    # Given
    body = {
        "responses": [
            {
                "sku": "SKU-1",
                "offerId": "9483012010",
                "statusCode": 400,
                "errors": [error(25002, "Any User error. Offer is not available.")],
            },
            {"sku": "SKU-2", "offerId": "9483012011", "statusCode": 429},
            {"sku": "SKU-3", "offerId": "9483012012", "statusCode": "weird"},
        ]
    }

    # When
    outcomes = parse_bulk_update("ebay", answer(207, body), UPDATES)

    # Then
    assert [(o.status, o.detail) for o in outcomes] == [
        ("rejected", "25002: Any User error. Offer is not available."),
        ("failed", "HTTP 429"),
        ("failed", "HTTP 500"),
    ]


@pytest.mark.parametrize(
    ("status", "body", "headers", "fault", "code"),
    [
        (400, {"errors": [error(25709, "Invalid value for requests.")]}, {}, RequestRejectedError, "25709"),
        (
            400,
            {
                "errors": [
                    {"errorId": 2004, "domain": "ACCESS", "category": "REQUEST", "message": "Invalid request"}
                ]
            },
            {},
            RequestRejectedError,
            "2004",
        ),
        (
            500,
            {"errors": [error(25001, "A system error has occurred.", "APPLICATION")]},
            {},
            RetryableError,
            "25001",
        ),
        (
            429,
            {"errors": [{"errorId": 2001, "domain": "ACCESS", "category": "REQUEST", "message": "limit"}]},
            {"Retry-After": "3"},
            ThrottledError,
            "2001",
        ),
        (
            401,
            {
                "errors": [
                    {
                        "errorId": 1001,
                        "domain": "OAuth",
                        "category": "REQUEST",
                        "message": "Invalid access token",
                    }
                ]
            },
            {},
            AuthError,
            "1001",
        ),
        (
            403,
            {
                "errors": [
                    {"errorId": 1100, "domain": "ACCESS", "category": "REQUEST", "message": "Access denied"}
                ]
            },
            {},
            AuthError,
            "1100",
        ),
        (200, {}, {}, InvalidResponseError, None),
        (207, {"responses": []}, {}, InvalidResponseError, None),
        (200, {"responses": "nope"}, {}, InvalidResponseError, None),
        (200, "<!DOCTYPE html><html><body>Gateway maintenance</body></html>", {}, InvalidResponseError, None),
        (204, "", {}, InvalidResponseError, None),
    ],
)
def test_whole_call_answers_map_to_typed_faults(
    status: int, body: Any, headers: dict[str, str], fault: type[ChannelError], code: str | None
) -> None:
    # Given
    response = answer(status, body, headers)

    # When
    with pytest.raises(fault) as raised:
        parse_bulk_update("ebay", response, UPDATES)

    # Then
    assert type(raised.value) is fault
    assert raised.value.code == code
    if isinstance(raised.value, ThrottledError):
        assert raised.value.retry_after == 3.0


def test_bulk_get_reads_item_quantities_and_leaves_out_unknown_skus() -> None:
    # Given
    body = {
        "responses": [
            {"sku": "B", "statusCode": 404, "errors": [error(25702, "SKU B is not available in the system")]},
            {
                "sku": "A",
                "statusCode": 200,
                "inventoryItem": {
                    "sku": "A",
                    "availability": {"shipToLocationAvailability": {"quantity": 4}},
                },
            },
            {"sku": "C", "statusCode": 200, "inventoryItem": {"sku": "C", "availability": {}}},
        ]
    }

    # When
    found = parse_bulk_get("ebay", answer(207, body), ["A", "B", "C"])

    # Then
    assert found == {"A": 4, "C": 0}


@pytest.mark.parametrize(
    ("body", "fault"),
    [
        (
            {"responses": [{"sku": "A", "statusCode": 500, "errors": [error(25001, "system")]}]},
            RetryableError,
        ),
        ({"responses": [{"sku": "Z", "statusCode": 200, "inventoryItem": {}}]}, InvalidResponseError),
        ({"responses": [{"sku": "A", "statusCode": 200}]}, InvalidResponseError),
        (
            {
                "responses": [
                    {
                        "sku": "A",
                        "statusCode": 200,
                        "inventoryItem": {"availability": {"shipToLocationAvailability": {"quantity": "4"}}},
                    }
                ]
            },
            InvalidResponseError,
        ),
    ],
)
def test_bulk_get_never_reads_a_broken_entry_as_a_quantity(body: Any, fault: type[ChannelError]) -> None:
    # When / Then
    with pytest.raises(fault):
        parse_bulk_get("ebay", answer(200, body), ["A"])


def test_get_offer_reads_the_published_quantity() -> None:
    # Given
    published = {"offerId": "9483012010", "sku": "SKU-1", "availableQuantity": 7, "status": "PUBLISHED"}
    unpublished = {**published, "status": "UNPUBLISHED"}
    gone = {"errors": [error(25713, "This Offer is not available : 9483012010.")]}

    # When / Then
    assert (
        offer_url("https://api.ebay.com", "94830/12010")
        == "https://api.ebay.com/sell/inventory/v1/offer/94830%2F12010"
    )
    assert parse_offer("ebay", answer(200, published)) == 7
    assert parse_offer("ebay", answer(200, unpublished)) == 0
    assert parse_offer("ebay", answer(404, gone)) is None
    assert parse_offer("ebay", answer(400, gone)) is None
    with pytest.raises(InvalidResponseError):
        parse_offer("ebay", answer(200, {}))
    with pytest.raises(RetryableError):
        parse_offer("ebay", answer(500, {"errors": [error(25001, "system", "APPLICATION")]}))
