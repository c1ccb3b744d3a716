"""The GraphQL documents of a Shopify bulk read, and the BulkOperation they answer (push-contracts §3).

The bulk query is the page query's own field tree (`query.orders_selection`) rewritten the way bulk
queries are written (push-contracts §3.1, the `bulkOperationRunQuery` reference): connections as
`edges { node }` without `first`/`after`/`pageInfo` (a bulk operation pages by itself), the window's
`query.search_filter` inline as the `orders(query:)` argument, `sortKey` dropped (the file's order
is not ours to choose). Two connections (orders, lineItems), nested two deep: within the documented
"at least one, at most five connections, nesting depth at most 2".

The operation is read with `node(id:) { ... on BulkOperation }`, which every API version serves;
`bulkOperation(id:)` exists only from 2026-01 (changelog "New Queries for Bulk Operations") and the
default `api_version` is 2025-10.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crossdock.channels.shopify.cost import Kind, Selection
from crossdock.channels.shopify.query import orders_selection, render, search_filter
from crossdock.channels.shopify.wire import CHANNEL
from crossdock.core.errors import (
    AuthError,
    ChannelError,
    InvalidResponseError,
    RequestRejectedError,
    RetryableError,
)
from crossdock.core.times import parse_iso

if TYPE_CHECKING:
    from crossdock.orders.rules.windows import Window

RUNNING = frozenset({"CREATED", "RUNNING", "CANCELING"})
FINISHED = frozenset({"COMPLETED", "FAILED", "CANCELED", "EXPIRED"})
OPERATION_FIELDS = (
    "id status errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query"
)
RUN_MUTATION = (
    "mutation CrossdockBulkOrders($query: String!, $groupObjects: Boolean!) { "
    "bulkOperationRunQuery(query: $query, groupObjects: $groupObjects) { "
    f"bulkOperation {{ {OPERATION_FIELDS} }} userErrors {{ field message }} }} }}"
)
POLL_QUERY = (
    "query CrossdockBulkOperation($id: ID!) { "
    f"node(id: $id) {{ ... on BulkOperation {{ {OPERATION_FIELDS} }} }} }}"
)
CURRENT_QUERY = f"query CrossdockCurrentBulk {{ currentBulkOperation(type: QUERY) {{ {OPERATION_FIELDS} }} }}"
RUN_COST = 10  # a mutation, payload included (cost.py)
READ_COST = 1  # one object


def _bulk(selection: Selection, arguments: str = "") -> Selection:
    """A page-query field as a bulk query writes it: connections unpaged, `nodes` as `edges { node }`."""
    children = tuple(_bulk(child) for child in selection.children if child.name != "pageInfo")
    if selection.kind is Kind.CONNECTION:
        nodes = next(child for child in children if child.name == "nodes")
        edges = Selection("edges", Kind.OBJECT, (Selection("node", Kind.OBJECT, nodes.children),))
        return Selection(selection.name, Kind.CONNECTION, (edges,), arguments=arguments)
    return Selection(selection.name, selection.kind, children, selection.first, selection.arguments)


def bulk_orders_query(window: Window, line_items: int = 1) -> str:
    """The bulk query of one window: every order the page query would read, with all its line items
    (`line_items` only sizes the page query's tree, which the bulk query drops)."""
    (orders,) = orders_selection(1, line_items)
    root = _bulk(orders, f"query: {json.dumps(search_filter(window))}")
    return "{ " + render(root) + " }"


def same_query(a: str | None, b: str) -> bool:
    """Whether an operation's `query` is this one (Shopify may re-space the text it keeps)."""
    return a is not None and " ".join(a.split()) == " ".join(b.split())


@dataclass(frozen=True)
class BulkOperation:
    id: str
    status: str
    error_code: str | None
    url: str | None
    partial_url: str | None
    query: str | None
    object_count: int
    completed_at: datetime | None

    @property
    def running(self) -> bool:
        return self.status in RUNNING


def bulk_operation(value: Any, what: str) -> BulkOperation:
    """A BulkOperation object of an answer; InvalidResponseError when it lacks its id or status."""
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise InvalidResponseError(CHANNEL, f"{what} is not a BulkOperation: {str(value)[:200]}")
    status = value.get("status")
    if status not in RUNNING | FINISHED:
        raise InvalidResponseError(CHANNEL, f"{what} has an unknown status {status!r}")
    completed = value.get("completedAt")
    return BulkOperation(
        id=value["id"],
        status=status,
        error_code=value.get("errorCode") or None,
        url=value.get("url") or None,
        partial_url=value.get("partialDataUrl") or None,
        query=value.get("query") if isinstance(value.get("query"), str) else None,
        object_count=int(value.get("objectCount") or 0),
        completed_at=parse_iso(completed) if isinstance(completed, str) else None,
    )


def current_operation(data: dict[str, Any]) -> BulkOperation | None:
    """The app's newest query operation, None when it has none; an answer without the field is
    InvalidResponseError, never "none running" (which would start a second operation)."""
    if "currentBulkOperation" not in data:
        raise InvalidResponseError(CHANNEL, "answer lacks data.currentBulkOperation")
    value = data["currentBulkOperation"]
    return None if value is None else bulk_operation(value, "data.currentBulkOperation")


def polled_operation(data: dict[str, Any]) -> BulkOperation:
    node = data.get("node")
    if node is None:
        raise InvalidResponseError(CHANNEL, "data.node is null: the bulk operation vanished")
    return bulk_operation(node, "data.node")


def ended_badly(operation: BulkOperation) -> ChannelError:
    """The fault of a bulk operation that did not complete."""
    what = f"bulk operation {operation.id} {operation.status}"
    code = operation.error_code
    if operation.status == "FAILED" and code == "ACCESS_DENIED":
        return AuthError(CHANNEL, f"{what}: access denied (read_orders scope?)", code=code)
    if operation.status == "FAILED" and code == "TIMEOUT":
        return RequestRejectedError(
            CHANNEL,
            f"{what}: timed out; the window asks too much at once (read it in shorter windows)",
            code=code,
        )
    return RetryableError(
        CHANNEL, f"{what} (errorCode {code}); a new operation is started next run", code=code
    )
