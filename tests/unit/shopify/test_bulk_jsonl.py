"""A bulk operation's JSONL → Orders: each order's line items reassembled from its `__parentId` lines,
pages of a fixed size, the same Order the paged query gives, and files that are not grouped refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from crossdock.channels.shopify.bulk_jsonl import order_nodes, order_pages
from crossdock.channels.shopify.orders import to_order
from crossdock.core.errors import InvalidResponseError
from hypothesis import given
from hypothesis import strategies as st

SHOP = "shop-1"


def order_line(n: int) -> dict[str, Any]:
    return {
        "id": f"gid://shopify/Order/{5200000000000 + n}",
        "createdAt": "2025-03-01T00:10:00Z",
        "updatedAt": "2025-03-01T00:20:00Z",
        "displayFinancialStatus": "PAID",
        "displayFulfillmentStatus": "UNFULFILLED",
        "totalPriceSet": {"shopMoney": {"amount": "19.9", "currencyCode": "GBP"}},
        "fulfillments": [],
    }


def item_line(order: int, i: int) -> dict[str, Any]:
    price = {"shopMoney": {"amount": "4.5", "currencyCode": "GBP"}}
    return {
        "id": f"gid://shopify/LineItem/{order * 1000 + i}",
        "sku": f"SKU-{i}",
        "name": "Mug",
        "quantity": i + 1,
        "originalUnitPriceSet": price,
        "__parentId": f"gid://shopify/Order/{5200000000000 + order}",
    }


def jsonl(item_counts: list[int]) -> list[bytes]:
    """A grouped file: each order, then its line items."""
    lines = []
    for n, count in enumerate(item_counts):
        lines.append(json.dumps(order_line(n)).encode())
        lines.extend(json.dumps(item_line(n, i)).encode() for i in range(count))
    return lines


def test_each_order_gets_exactly_its_own_line_items_even_hundreds() -> None:
    # Given
    lines = jsonl([1, 0, 600, 3])

    # When
    orders = [order for page in order_pages(SHOP, lines) for order in page]

    # Then
    assert [len(order.lines) for order in orders] == [1, 0, 600, 3]
    assert orders[2].lines[599].line_id == str(2 * 1000 + 599)
    assert orders[2].lines[599].quantity == 600


def test_a_reassembled_order_equals_the_paged_querys_order() -> None:
    # Given: the same order as the paged query answers it
    items = [item_line(0, i) for i in range(2)]
    for item in items:
        item.pop("__parentId")
    paged = {
        **order_line(0),
        "lineItems": {"pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": items},
    }

    # When
    (node,) = order_nodes(jsonl([2]))

    # Then
    assert to_order(SHOP, node) == to_order(SHOP, paged)
    assert "__parentId" not in json.dumps(node)


def test_pages_hold_the_requested_number_of_orders_and_an_empty_file_none() -> None:
    assert [len(page) for page in order_pages(SHOP, jsonl([1] * 7), size=3)] == [3, 3, 1]
    assert list(order_pages(SHOP, [])) == []
    assert list(order_pages(SHOP, [b"", b"  "])) == []


@pytest.mark.parametrize(
    "lines",
    [
        [json.dumps(item_line(0, 0)).encode()],  # a child before any order
        [*jsonl([1, 1])[:1], *jsonl([1, 1])[2:], jsonl([1, 1])[1]],  # order 0's item after order 1
        [b"{not json"],
        [b'["an array"]'],
    ],
    ids=["orphan", "not-grouped", "not-json", "no-object"],
)
def test_a_file_that_is_not_grouped_or_not_jsonl_is_refused(lines: list[bytes]) -> None:
    with pytest.raises(InvalidResponseError):
        list(order_pages(SHOP, lines))


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=30), st.integers(min_value=1, max_value=9))
def test_reassembly_keeps_every_order_and_every_line_item_in_order(counts: list[int], size: int) -> None:
    # When
    pages = list(order_pages(SHOP, jsonl(counts), size=size))
    orders = [order for page in pages for order in page]

    # Then
    assert all(len(page) == size for page in pages[:-1])
    assert [len(order.lines) for order in orders] == counts
    assert [order.order_id for order in orders] == [str(5200000000000 + n) for n in range(len(counts))]
    for n, order in enumerate(orders):
        assert [line.line_id for line in order.lines] == [str(n * 1000 + i) for i in range(counts[n])]
