"""Shopify query cost: the documented rules, page sizing, and that the adapter and the sandbox price
the adapter's own documents identically (one formula, two readers)."""

from __future__ import annotations

from typing import Any

import pytest
from crossdock.channels.shopify.cost import (
    MAX_QUERY_COST,
    Kind,
    Selection,
    largest_first,
    query_cost,
    requested_cost,
)
from crossdock.channels.shopify.query import (
    LINE_ITEMS_VARIABLES,
    ORDERS_VARIABLES,
    document,
    line_items_query,
    line_items_selection,
    orders_page_size,
    orders_query,
    orders_selection,
)
from crossdock_local.sandboxes.shopify.cost import requested_cost as sandbox_requested_cost
from crossdock_local.sandboxes.shopify.schema import SCHEMA, selections
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values
from hypothesis import given, settings
from hypothesis import strategies as st


def sandbox_cost(text: str, variables: dict[str, Any]) -> int:
    parsed = parse(text)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    coerced = get_variable_values(SCHEMA, operation.variable_definitions or (), variables)
    assert not isinstance(coerced, list), coerced
    return sandbox_requested_cost(selections(operation, fragments, coerced))  # the sandbox's own pricing


def test_documented_example_costs_82() -> None:
    # Given products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } }
    variant = Selection("node", Kind.OBJECT, (Selection("price"),))
    variants = Selection("variants", Kind.CONNECTION, (Selection("edges", Kind.OBJECT, (variant,)),), 5)
    product = Selection("node", Kind.OBJECT, (Selection("title"), variants))
    products = Selection("products", Kind.CONNECTION, (Selection("edges", Kind.OBJECT, (product,)),), 10)

    # When
    cost = query_cost([products])

    # Then: 2 + 10 × (1 + 2 + 5 × 1)
    assert cost == 82


def test_scalars_are_free_objects_cost_one_and_page_info_is_free() -> None:
    # Given
    page_info = Selection("pageInfo", Kind.OBJECT, (Selection("hasNextPage"),))
    nodes = Selection("nodes", Kind.OBJECT, (Selection("id"), Selection("customer", Kind.OBJECT)))
    orders = Selection("orders", Kind.CONNECTION, (page_info, nodes), 7)

    # When / Then
    assert requested_cost(Selection("id")) == 0
    assert requested_cost(Selection("customer", Kind.OBJECT, (Selection("displayName"),))) == 1
    assert requested_cost(orders) == 2 + 7 * 2


def test_bounded_lists_are_charged_like_connections_and_unbounded_lists_like_one_object() -> None:
    # Given
    tracking = Selection("trackingInfo", Kind.OBJECT, (Selection("number"),))
    fulfillments = Selection("fulfillments", Kind.LIST, (tracking,), 5)

    # When / Then
    assert requested_cost(tracking) == 1
    assert requested_cost(fulfillments) == 2 + 5 * (1 + 1)


@pytest.mark.parametrize("line_items", [1, 5, 10, 50, 250])
def test_orders_page_is_the_largest_within_the_single_query_maximum(line_items: int) -> None:
    # When
    first = orders_page_size(line_items)

    # Then
    assert query_cost(orders_selection(first, line_items)) <= MAX_QUERY_COST
    assert first == 250 or query_cost(orders_selection(first + 1, line_items)) > MAX_QUERY_COST


def test_default_page_holds_29_orders_of_up_to_5_line_items() -> None:
    # When
    text, first, cost = orders_query(5)

    # Then
    assert (first, cost) == (29, 988)
    assert "orders(first: $first, after: $cursor, query: $q, sortKey: UPDATED_AT)" in text
    assert "lineItems(first: $lineItems)" in text and "fulfillments(first: 5)" in text
    assert " note " in text  # the buyer's note: a scalar, free, so the page size is unchanged


def test_largest_first_refuses_a_node_that_alone_exceeds_the_maximum() -> None:
    # Given
    def too_big(first: int) -> tuple[Selection, ...]:
        inner = Selection("items", Kind.CONNECTION, (Selection("nodes", Kind.OBJECT),), 999)
        return (Selection("orders", Kind.CONNECTION, (Selection("nodes", Kind.OBJECT, (inner,)),), first),)

    # When / Then
    with pytest.raises(ValueError, match="over 1000"):
        largest_first(too_big)


@settings(max_examples=40, deadline=None)
@given(first=st.integers(0, 250), line_items=st.integers(1, 250))
def test_sandbox_prices_the_orders_document_as_the_adapter_does(first: int, line_items: int) -> None:
    # Given the adapter's document for any page size
    roots = orders_selection(first, line_items)
    text = document("CrossdockOrders", ORDERS_VARIABLES, roots)
    variables = {"first": first, "lineItems": line_items, "cursor": None, "q": "updated_at:>='2025-01-01'"}

    # When / Then
    assert sandbox_cost(text, variables) == query_cost(roots)


def test_sandbox_prices_the_line_items_follow_up_as_the_adapter_does() -> None:
    # Given
    text, first, cost = line_items_query()
    variables = {"id": "gid://shopify/Order/5200000000001", "first": first, "cursor": "abc"}

    # When / Then
    assert text.startswith(f"query CrossdockOrderLineItems({LINE_ITEMS_VARIABLES})")
    assert sandbox_cost(text, variables) == cost == query_cost(line_items_selection(first)) == 753
