"""Reading one Shopify Admin GraphQL request up to the point of charging it.

In Shopify's order: the token (401 with Shopify's body), the API version in the path (404 for a
malformed one; an unknown but well-formed one is served as the oldest supported, as Shopify does), the
body (JSON `{"query", "variables", "operationName"}` or application/graphql; else 400), the GraphQL
document against that version's schema (syntax and validation errors, answered 200 with `errors`; one
query or mutation operation), variables (an input array over 250 items → MAX_INPUT_SIZE_EXCEEDED, the
limit all Admin input arrays have; message wording PARTIAL), and the requested cost (`shopify.cost`,
from Shopify's documented rules; over 1000 → MAX_COST_EXCEEDED). Refused requests are not charged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    GraphQLFormattedError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import VariableValues, get_variable_values

from crossdock_local.sandboxes.base import Request
from crossdock_local.sandboxes.shopify.cost import MAX_QUERY_COST, Field, requested_cost, selections
from crossdock_local.sandboxes.shopify.inventory_sdl import era
from crossdock_local.sandboxes.shopify.schema import SCHEMAS, schema_for
from crossdock_local.sandboxes.shopify.store import Store

API_VERSIONS = ("2025-01", "2025-04", "2025-07", "2025-10", "2026-01", "2026-04", "2026-07", "unstable")
MAX_INPUT_SIZE = 250
GRAPHQL_PATH = r"/admin/api/(?P<version>[^/]+)/graphql\.json"
DOCS = "https://shopify.dev/api/usage/rate-limits"
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
MISSING_QUERY = {"errors": {"query": "Required parameter missing or invalid"}}


@dataclass
class Prepared:
    """A request read up to the point of charging it. `refusal` = (HTTP status, body) answers it
    without a charge; a 200 refusal still gets `extensions.cost`."""

    token: str = ""
    version: str = ""  # the API version served
    store: Store | None = None
    refusal: tuple[int, dict[str, Any]] | None = None
    schema: GraphQLSchema | None = None  # the served version's schema
    document: DocumentNode | None = None
    operation: OperationDefinitionNode | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    coerced: VariableValues | None = None
    roots: tuple[Field, ...] = ()  # the operation's root fields, priced by `shopify.cost`
    cost: int = 0
    available: float = 0.0  # the bucket's level when the request was throttled

    @property
    def mutation(self) -> bool:
        return self.operation is not None and self.operation.operation is OperationType.MUTATION


def read_request(request: Request, store_for: Callable[[str], Store | None]) -> Prepared:
    token = request.headers.get("x-shopify-access-token", "")
    store = store_for(token) if token else None
    if store is None:
        return Prepared(refusal=(401, INVALID_TOKEN))
    prepared = Prepared(token=token, store=store)
    path = re.fullmatch(GRAPHQL_PATH, request.path)
    if path is None or not re.fullmatch(r"\d{4}-\d{2}|unstable", path["version"]):
        prepared.refusal = (404, {"errors": "Not Found"})
        return prepared
    prepared.version = path["version"] if path["version"] in API_VERSIONS else API_VERSIONS[0]
    query, prepared.variables, operation_name = _graphql_body(request)
    if query is None:
        prepared.refusal = (400, MISSING_QUERY)
        return prepared
    try:
        _compile(prepared, query, operation_name)
    except GraphQLError as error:
        prepared.refusal = (200, {"errors": [error.formatted]})
    return prepared


def _compile(prepared: Prepared, query: str, operation_name: str | None) -> None:
    schema = prepared.schema = schema_for(prepared.version)
    document, problems = _checked(era(prepared.version), query)
    if problems:
        prepared.refusal = (200, {"errors": list(problems)})
        return
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is OperationType.SUBSCRIPTION:
        raise GraphQLError("The sandbox answers exactly one `query` or `mutation` operation.")
    coerced = get_variable_values(schema, operation.variable_definitions or (), prepared.variables)
    if isinstance(coerced, list):
        prepared.refusal = (200, {"errors": [problem.formatted for problem in coerced]})
        return
    oversized = _largest_array(coerced.coerced)
    if oversized > MAX_INPUT_SIZE:
        prepared.refusal = (200, max_input_size_exceeded(oversized))
        return
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    prepared.document, prepared.operation, prepared.coerced = document, operation, coerced
    prepared.roots = selections(operation, fragments, coerced, schema)
    prepared.cost = requested_cost(prepared.roots)
    if prepared.cost > MAX_QUERY_COST:
        prepared.refusal = (200, max_cost_exceeded(prepared.cost))


@lru_cache(maxsize=64)
def _checked(era_name: str, query: str) -> tuple[DocumentNode, tuple[GraphQLFormattedError, ...]]:
    """The parsed document and its validation problems, kept per era and text: a client sends the
    same few documents again and again, and parsing plus validating 250 aliases takes ~0.5 s."""
    document = parse(query)
    return document, tuple(problem.formatted for problem in validate(SCHEMAS[era_name], document))


def _largest_array(value: Any) -> int:
    if isinstance(value, dict):
        return max((_largest_array(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return max([len(value), *(_largest_array(v) for v in value)])
    return 0


def max_input_size_exceeded(size: int) -> dict[str, Any]:
    message = f"The input array size of {size} is greater than the maximum allowed of {MAX_INPUT_SIZE}."
    return {"errors": [{"message": message, "extensions": {"code": "MAX_INPUT_SIZE_EXCEEDED"}}]}


def max_cost_exceeded(cost: int) -> dict[str, Any]:
    message = (
        f"Query cost is {cost}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).\n\n"
        f"See {DOCS} for more information on how the\ncost of a query is calculated.\n\n"
        "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
        "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
    )
    code = {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": MAX_QUERY_COST, "documentation": DOCS}
    return {"errors": [{"message": message, "extensions": code}]}


def _graphql_body(request: Request) -> tuple[str | None, dict[str, Any], str | None]:
    """(query, variables, operationName) from a JSON or application/graphql body."""
    if request.headers.get("content-type", "").startswith("application/graphql"):
        return request.body.decode("utf-8", "replace"), {}, None
    try:
        body = request.json()
    except ValueError:
        return None, {}, None
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return None, {}, None
    variables = body.get("variables") if isinstance(body.get("variables"), dict) else None
    name = body.get("operationName") if isinstance(body.get("operationName"), str) else None
    return body["query"], variables or {}, name
