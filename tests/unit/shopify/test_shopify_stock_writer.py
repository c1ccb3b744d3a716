"""The Shopify stock writer against canned answers (`responses`, no sockets): batches, outcomes from
userErrors, bisection of errors that name no item, idempotent retries, throttling and faults."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import responses
from crossdock.channels.shopify.channel import SPEC
from crossdock.channels.spec import ShopContext
from crossdock.core.errors import AuthError, RequestRejectedError, RetriesExhaustedError
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.stock.rules.sellable import Listing, QuantityUpdate

VERSION = "2026-04"


def url(version: str) -> str:
    return f"https://mystore.myshopify.com/admin/api/{version}/graphql.json"


def update(n: int, quantity: int = 7, last: int | None = 5, version: int = 1) -> QuantityUpdate:
    ref = {"inventory_item_id": f"gid://shopify/InventoryItem/{n}", "location_id": "gid://shopify/Location/9"}
    return QuantityUpdate(Listing(f"SKU-{n}", "shopify", "shop-1", ref, last), quantity, version)


def answer(data: dict[str, Any] | None = None, errors: Any = None, available: float = 1000) -> dict[str, Any]:
    status = {"maximumAvailable": 1000.0, "currentlyAvailable": available, "restoreRate": 100.0}
    body: dict[str, Any] = {"extensions": {"cost": {"requestedQueryCost": 10, "throttleStatus": status}}}
    if data is not None:
        body["data"] = data
    if errors is not None:
        body["errors"] = errors
    return body


def set_answer(*errors: dict[str, Any]) -> dict[str, Any]:
    group = (
        None if errors else {"id": "gid://shopify/InventoryAdjustmentGroup/1", "referenceDocumentUri": "x"}
    )
    return answer({"inventorySetQuantities": {"inventoryAdjustmentGroup": group, "userErrors": list(errors)}})


def item_error(code: str | None, index: int | None, message: str = "no") -> dict[str, Any]:
    field = None if index is None else ["input", "quantities", str(index), "quantity"]
    return {"code": code, "field": field, "message": message}


def levels_answer(*quantities: int | None) -> dict[str, Any]:
    data = {
        f"level{i}": None
        if q is None
        else {"id": "x", "inventoryLevel": {"quantities": [{"name": "available", "quantity": q}]}}
        for i, q in enumerate(quantities)
    }
    return answer(data)


class Harness:
    def __init__(self, mock: responses.RequestsMock, version: str = VERSION) -> None:
        self.mock, self.url = mock, url(version)
        self.sleeps: list[float] = []
        self.http = ChannelHttp(
            SPEC.name,
            SPEC.rates,
            sleep=self.sleeps.append,
            clock=lambda: 0.0,
            retry=RetryPolicy(max_attempts=3),
        )
        options = {"shop_domain": "mystore.myshopify.com", "api_version": version}
        credentials = {"access_token": "shpat_0123456789abcdef0123456789abcdef"}
        self.ctx = ShopContext("shop-1", credentials, self.http, settings=options)
        assert SPEC.stock is not None
        self.writer = SPEC.stock(self.ctx)

    def answer(self, *bodies: dict[str, Any], status: int = 200) -> None:
        for body in bodies:
            self.mock.add(responses.POST, self.url, json=body, status=status)

    def answer_with(self, reply: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        def callback(request: Any) -> tuple[int, dict[str, str], str]:
            return 200, {}, json.dumps(reply(json.loads(request.body)))

        self.mock.add_callback(responses.POST, self.url, callback=callback)

    def sent(self) -> list[dict[str, Any]]:
        return [json.loads(call.request.body or b"") for call in self.mock.calls]

    def sent_items(self) -> list[list[int]]:
        """The item numbers each mutation carried."""
        return [
            [int(q["inventoryItemId"].rpartition("/")[2]) for q in body["variables"]["input"]["quantities"]]
            for body in self.sent()
            if body["query"].startswith("mutation")
        ]


@pytest.fixture
def harness() -> Iterator[Harness]:
    with responses.RequestsMock() as mock:
        yield Harness(mock)


def test_250_updates_go_in_one_call_and_251_in_two(harness: Harness) -> None:
    # Given
    harness.answer(set_answer(), set_answer(), set_answer())

    # When
    first = harness.writer.push([update(n) for n in range(250)])
    second = harness.writer.push([update(n) for n in range(251)])

    # Then
    assert harness.writer.max_batch == 250
    assert {o.status for o in first + second} == {"accepted"} and len(second) == 251
    assert [len(items) for items in harness.sent_items()] == [250, 250, 1]
    body = harness.sent()[0]
    assert body["variables"]["key"] and "@idempotent(key: $key)" in body["query"]
    assert harness.mock.calls[0].request.headers["X-Shopify-Access-Token"].startswith("shpat_")


def test_named_items_get_their_outcome_and_the_others_are_sent_again(harness: Harness) -> None:
    # Given: item 1 lost the compare-and-set (Shopify shows 4), item 2 is unknown
    harness.answer(
        set_answer(
            item_error("CHANGE_FROM_QUANTITY_STALE", 1, "does not match"),
            item_error("INVALID_INVENTORY_ITEM", 2, "could not be found"),
        ),
        set_answer(),
        levels_answer(4),
    )

    # When
    outcomes = harness.writer.push([update(n) for n in range(4)])

    # Then
    assert [(o.status, o.observed) for o in outcomes] == [
        ("accepted", None),
        ("stale", 4),
        ("rejected", None),
        ("accepted", None),
    ]
    assert outcomes[2].detail == "INVALID_INVENTORY_ITEM: could not be found"
    assert harness.sent_items() == [[0, 1, 2, 3], [0, 3]]
    assert harness.sent()[2]["variables"] == {
        "item0": "gid://shopify/InventoryItem/1",
        "location0": "gid://shopify/Location/9",
    }


def named_error(code: str, index: int, message: str) -> dict[str, Any]:
    return {"code": code, "field": ["input", "quantities", str(index), "inventoryItemId"], "message": message}


def test_outcomes_carry_shopifys_code_and_only_the_others_are_sent_again(harness: Harness) -> None:
    # Given: item 0 is busy elsewhere, item 2 is not stocked at the location, item 3 meets a new code
    harness.answer(
        set_answer(
            named_error("IDEMPOTENCY_CONCURRENT_REQUEST", 0, "in progress"),
            named_error("ITEM_NOT_STOCKED_AT_LOCATION", 2, "not stocked"),
            named_error("SOMETHING_NEW", 3, "what"),
        ),
        set_answer(),
    )

    # When
    outcomes = harness.writer.push([update(n) for n in range(4)])

    # Then
    assert [(o.status, o.code, o.detail) for o in outcomes] == [
        ("failed", "IDEMPOTENCY_CONCURRENT_REQUEST", "IDEMPOTENCY_CONCURRENT_REQUEST: in progress"),
        ("accepted", "", ""),
        ("rejected", "ITEM_NOT_STOCKED_AT_LOCATION", "ITEM_NOT_STOCKED_AT_LOCATION: not stocked"),
        ("rejected", "SOMETHING_NEW", "SOMETHING_NEW: what"),
    ]
    assert harness.sent_items() == [[0, 1, 2, 3], [1]]
    assert harness.http.stats.retries == 0


def test_a_stale_item_already_showing_the_pushed_quantity_is_accepted(harness: Harness) -> None:
    # Given: an order took the units we took, so Shopify already shows 7
    harness.answer(set_answer(item_error("CHANGE_FROM_QUANTITY_STALE", 0)), levels_answer(7))

    # When
    [outcome] = harness.writer.push([update(1, 7, last=8)])

    # Then
    assert outcome.status == "accepted"


def test_a_stale_item_whose_read_fails_stays_stale_without_observed(harness: Harness) -> None:
    # Given
    harness.answer(set_answer(item_error("CHANGE_FROM_QUANTITY_STALE", 0)))
    harness.answer(answer(), answer(), answer())  # three reads without data

    # When
    [outcome] = harness.writer.push([update(1)])

    # Then
    assert (outcome.status, outcome.observed) == ("stale", None)


def test_errors_naming_no_item_are_isolated_by_bisection(harness: Harness) -> None:
    # Given: item 2 is refused, but Shopify does not say which item failed
    def reply(body: dict[str, Any]) -> dict[str, Any]:
        items = [q["inventoryItemId"] for q in body["variables"]["input"]["quantities"]]
        bad = "gid://shopify/InventoryItem/2" in items
        return (
            set_answer(item_error("NON_MUTABLE_INVENTORY_ITEM", None, "not mutable")) if bad else set_answer()
        )

    for _ in range(5):
        harness.answer_with(reply)

    # When
    outcomes = harness.writer.push([update(n) for n in range(4)])

    # Then
    assert [o.status for o in outcomes] == ["accepted", "accepted", "rejected", "accepted"]
    assert outcomes[2].detail == "NON_MUTABLE_INVENTORY_ITEM: not mutable"
    assert harness.sent_items() == [[0, 1, 2, 3], [0, 1], [2, 3], [2], [3]]


def test_a_concurrent_request_is_retried_with_the_same_key(harness: Harness) -> None:
    # Given
    harness.answer(
        set_answer(item_error("IDEMPOTENCY_CONCURRENT_REQUEST", None, "in progress")), set_answer()
    )

    # When
    [outcome] = harness.writer.push([update(1)])

    # Then
    first, retry = harness.sent()
    assert outcome.status == "accepted" and first == retry
    assert harness.http.stats.retries == 1


def test_a_spent_key_is_replaced_by_the_next_generation(harness: Harness) -> None:
    # Given
    harness.answer(
        set_answer(item_error("IDEMPOTENCY_PREVIOUS_ATTEMPT_FAILED", None, "failed")), set_answer()
    )

    # When
    [outcome] = harness.writer.push([update(1)])

    # Then
    first, second = harness.sent()
    assert outcome.status == "accepted"
    assert first["variables"]["input"] == second["variables"]["input"]
    assert first["variables"]["key"] != second["variables"]["key"]


def test_throttled_in_a_200_is_waited_out_then_sent_again(harness: Harness) -> None:
    # Given: Shopify has 2 of the 10 points the call needs, restoring 100 per second
    throttled = answer(errors=[{"message": "Throttled", "extensions": {"code": "THROTTLED"}}], available=2)
    harness.answer(throttled, set_answer())

    # When
    [outcome] = harness.writer.push([update(1)])

    # Then
    assert outcome.status == "accepted"
    assert harness.http.stats.faults["throttled"] == 1
    assert any(abs(s - 0.08) < 0.01 for s in harness.sleeps)


def test_a_call_level_user_error_raises(harness: Harness) -> None:
    # Given
    harness.answer(set_answer({"code": "INVALID_REASON", "field": ["input", "reason"], "message": "bad"}))

    # When / Then
    with pytest.raises(RequestRejectedError):
        harness.writer.push([update(1)])


def test_a_revoked_token_raises_auth_without_retrying(harness: Harness) -> None:
    # Given
    harness.answer({"errors": "[API] Invalid API key or access token"}, status=401)

    # When / Then
    with pytest.raises(AuthError):
        harness.writer.push([update(1)])
    assert len(harness.mock.calls) == 1


def test_two_updates_of_one_listing_send_only_the_newest(harness: Harness) -> None:
    # Given
    harness.answer(set_answer())

    # When
    outcomes = harness.writer.push([update(1, 9, version=4), update(1, 3, version=3), update(2, version=1)])

    # Then
    assert [o.status for o in outcomes] == ["accepted", "stale", "accepted"]
    assert outcomes[1].detail == "superseded by version 4 of the same push"
    assert harness.sent()[0]["variables"]["input"]["quantities"][0]["quantity"] == 9


def test_a_listing_without_shopify_ids_is_rejected_without_a_call(harness: Harness) -> None:
    # Given
    broken = QuantityUpdate(Listing("SKU-X", "shopify", "shop-1", {"inventory_item_id": "gid://x"}), 1, 1)

    # When
    [outcome] = harness.writer.push([broken])

    # Then
    assert (outcome.status, outcome.detail) == ("rejected", "listing ref lacks location_id")
    assert len(harness.mock.calls) == 0


def test_the_read_back_leaves_out_what_shopify_does_not_know(harness: Harness) -> None:
    # Given
    harness.answer(levels_answer(3, None))

    # When
    shown = harness.writer.read([update(1).listing, update(2).listing])

    # Then
    assert shown == {"shopify#shop-1#SKU-1": 3}


@pytest.fixture
def legacy() -> Iterator[Harness]:
    with responses.RequestsMock() as mock:
        yield Harness(mock, "2025-10")


def test_before_2026_listings_never_pushed_travel_in_a_call_of_their_own(legacy: Harness) -> None:
    # Given
    legacy.answer(set_answer(), set_answer())

    # When
    outcomes = legacy.writer.push([update(1, last=None), update(2, last=4), update(3, last=None)])

    # Then
    assert [o.status for o in outcomes] == ["accepted"] * 3
    checked, unchecked = (body["variables"] for body in legacy.sent())
    assert "key" not in checked and "@idempotent" not in legacy.sent()[0]["query"]
    assert (checked["input"]["ignoreCompareQuantity"], unchecked["input"]["ignoreCompareQuantity"]) == (
        False,
        True,
    )
    assert legacy.sent_items() == [[2], [1, 3]]


def test_a_fault_after_part_of_the_push_is_known_marks_the_rest_failed(legacy: Harness) -> None:
    # Given: the first call is answered, the second meets 503 on every attempt
    legacy.answer(set_answer())
    legacy.answer({"errors": "Service Unavailable"}, {"errors": "x"}, {"errors": "x"}, status=503)

    # When
    outcomes = legacy.writer.push([update(1, last=4), update(2, last=None)])

    # Then
    assert [o.status for o in outcomes] == ["accepted", "failed"]
    assert "gave up after 3 attempts" in outcomes[1].detail


def test_a_fault_of_the_first_call_raises(legacy: Harness) -> None:
    # Given
    legacy.answer({"errors": "x"}, {"errors": "x"}, {"errors": "x"}, status=503)

    # When / Then
    with pytest.raises(RetriesExhaustedError):
        legacy.writer.push([update(1), update(2)])
