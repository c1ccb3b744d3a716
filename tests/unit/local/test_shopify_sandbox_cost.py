"""The Shopify sandbox's query cost, checked against figures worked out by hand from Shopify's
documented rules (shopify.dev "GraphQL Admin API rate limits" › Cost calculation; Shopify Engineering
"Rate limiting GraphQL APIs by calculating query complexity"): scalar/enum 0, object 1, connection
2 + objects requested (`first`/`last`) × one object, mutation 10, the root free, at most 1000 per query.

The expected numbers are written here from those rules, never computed by crossdock's own formula:
a wrong formula in the sandbox fails these tests whatever the product believes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from crossdock_local.sandboxes.base import Request
from crossdock_local.sandboxes.shopify.cost import actual_cost, requested_cost, selections
from crossdock_local.sandboxes.shopify.request import read_request
from crossdock_local.sandboxes.shopify.schema import schema_for
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

VERSION = "2025-10"


def priced(text: str, variables: dict[str, Any] | None = None, version: str = VERSION) -> Any:
    schema = schema_for(version)
    document = parse(text)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    assert not isinstance(coerced, list), coerced
    return selections(operation, fragments, coerced, schema)


def cost(text: str, variables: dict[str, Any] | None = None, version: str = VERSION) -> int:
    return requested_cost(priced(text, variables, version))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # 2 + 50 × (1 (order) + 2 + 10 × 1 (line item)) = 2 + 50 × 13
        (
            "{ orders(first: 50) { edges { node { id name"
            " lineItems(first: 10) { edges { node { id } } } } } } }",
            652,
        ),
        # the same read through `nodes`: one object is one object, however it is reached
        ("{ orders(first: 50) { nodes { id name lineItems(first: 10) { nodes { id } } } } }", 652),
        # an object 1, its scalars 0; the query root is free
        ("{ shop { name } }", 1),
        ('{ order(id: "gid://shopify/Order/1") { id name note } }', 1),
        # scalars and enums cost nothing: 2 + 3 × 1
        ("{ orders(first: 3) { nodes { id name displayFulfillmentStatus currencyCode closed } } }", 5),
        # objects inside each node: 2 + 4 × (1 + customer 1 + totalPriceSet 1 + shopMoney 1)
        (
            "{ orders(first: 4) { nodes { customer { displayName }"
            " totalPriceSet { shopMoney { amount currencyCode } } } } }",
            18,
        ),
        # pageInfo and cursors belong to the connection: 2 + 10 × 1
        ("{ orders(first: 10) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }", 12),
        # `last` sizes a connection as `first` does: 2 + 7 × 1
        ("{ orders(last: 7) { nodes { id } } }", 9),
        # aliases are separate fields, each charged: (2 + 2) + (2 + 3)
        ("{ a: orders(first: 2) { nodes { id } } b: orders(first: 3) { nodes { id } } }", 9),
        # a fragment is priced where it is spread: 2 + 2 × (1 + 1)
        ("{ orders(first: 2) { nodes { ...O } } } fragment O on Order { id customer { displayName } }", 6),
        # nested connections multiply: 2 + 250 × (1 + 2 + 250 × 1)
        ("{ orders(first: 250) { nodes { id lineItems(first: 250) { nodes { id } } } } }", 63252),
    ],
)
def test_requested_cost_follows_the_documented_rules(query: str, expected: int) -> None:
    assert cost(query) == expected


def test_first_is_read_from_the_variables() -> None:
    # Given: 2 + 20 × (1 + 2 + 5 × 1)
    query = "query($n: Int!, $m: Int!) { orders(first: $n) { nodes { id lineItems(first: $m) { nodes { id } } } } }"

    # When / Then
    assert cost(query, {"n": 20, "m": 5}) == 162


def test_a_mutation_costs_ten() -> None:
    # Given
    query = (
        "mutation($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) {"
        " inventoryAdjustmentGroup { id } userErrors { field message } } }"
    )
    quantity = {"inventoryItemId": "gid://shopify/InventoryItem/1", "locationId": "gid://shopify/Location/1"}
    variables = {
        "input": {"name": "available", "reason": "correction", "quantities": [{**quantity, "quantity": 3}]}
    }

    # When / Then
    assert cost(query, variables) == 10


def test_the_actual_cost_prices_what_came_back() -> None:
    # Given: 10 orders requested (2 + 10 × 2 = 22), three returned, one without a customer
    roots = priced("{ orders(first: 10) { nodes { id customer { displayName } } } }")
    data = {
        "orders": {
            "nodes": [
                {"id": "1", "customer": {"displayName": "A"}},
                {"id": "2", "customer": None},
                {"id": "3", "customer": {"displayName": "C"}},
            ]
        }
    }

    # When / Then: 2 + (1 + 1) + (1 + 0) + (1 + 1)
    assert requested_cost(roots) == 22
    assert actual_cost(roots, data) == 7
    assert actual_cost(roots, {"orders": {"nodes": []}}) == 2


def prepared_cost(query: str) -> tuple[int, Any]:
    """What the sandbox's request reader makes of `query`: its requested cost and any refusal."""
    body = json.dumps({"query": query}).encode()
    request = Request("POST", f"/admin/api/{VERSION}/graphql.json", {}, {"x-shopify-access-token": "t"}, body)
    prepared = read_request(request, lambda token: object())  # type: ignore[arg-type,return-value]
    return prepared.cost, prepared.refusal


def test_a_query_may_request_1000_points_and_no_more() -> None:
    # Given: two aliased pages of 2 + 249 × (1 + 1) = 500 points each, then one object more
    page = "orders(first: 249) { nodes { customer { displayName } } }"
    at_limit = f"{{ a: {page} b: {page} }}"
    over = f"{{ a: {page} b: {page} shop {{ name }} }}"

    # When
    accepted, refused = prepared_cost(at_limit), prepared_cost(over)

    # Then
    assert accepted == (1000, None)
    assert refused[0] == 1001 and refused[1] is not None
    status, body = refused[1]
    assert status == 200 and body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert body["errors"][0]["message"].startswith(
        "Query cost is 1001, which exceeds the single query max cost limit (1000)."
    )
