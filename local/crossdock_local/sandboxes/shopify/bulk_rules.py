"""What Shopify checks in a bulk query, and how it writes the result as JSONL (push-contracts §3.1, §3.4).

Checks (the bulk guide): a query operation valid against the served schema; at least one connection,
at most five, nested at most two deep; no top-level `node`/`nodes` (connections must hang from a
queryable root). Refusals are userErrors on the `query` field, nothing started.
JSONL: one line per object of a connection; a nested connection's objects become lines of their own
with `__parentId`, other nested objects stay inline. Grouped (`groupObjects: true`): each object's
children right after it; ungrouped: every root object first, the children after them (Shopify
promises no order then).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    parse,
    validate,
)

MAX_CONNECTIONS = 5
MAX_DEPTH = 2


def checked(schema: GraphQLSchema, query: str) -> tuple[DocumentNode | None, list[str]]:
    """The parsed bulk query, or the userError messages that refuse it."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, [f"Invalid bulk query: {error.message}"]
    problems = [f"Invalid bulk query: {error.message}" for error in validate(schema, document)]
    if problems:
        return None, problems
    operation = get_operation_ast(document)
    if operation is None or operation.operation is not OperationType.QUERY:
        return None, ["Bulk queries must contain exactly one query operation."]
    roots = [node.name.value for node in operation.selection_set.selections if isinstance(node, FieldNode)]
    if {"node", "nodes"} & set(roots):
        return None, ["Bulk queries cannot contain a top level `node` or `nodes` field."]
    assert schema.query_type is not None
    depths = list(_connections(operation.selection_set, schema.query_type, 0))
    if not depths:
        return None, ["Bulk queries must contain at least one connection."]
    if len(depths) > MAX_CONNECTIONS:
        return None, [f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."]
    if max(depths) > MAX_DEPTH:
        return None, [
            f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}."
        ]
    return document, []


def _connections(selection_set: SelectionSetNode, parent: GraphQLObjectType, depth: int) -> Iterator[int]:
    """The nesting depth of every connection selected below `parent`."""
    for node in selection_set.selections:
        if isinstance(node, InlineFragmentNode):
            yield from _connections(node.selection_set, parent, depth)
            continue
        if not isinstance(node, FieldNode) or node.name.value.startswith("__"):
            continue
        named = get_named_type(parent.fields[node.name.value].type)
        inner = depth
        if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection"):
            inner = depth + 1
            yield inner
        if node.selection_set is not None and isinstance(named, GraphQLObjectType):
            yield from _connections(node.selection_set, named, inner)


def _objects(connection: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(connection.get("nodes"), list):
        return [node for node in connection["nodes"] if node]
    return [edge["node"] for edge in connection.get("edges") or [] if edge and edge.get("node")]


def _is_connection(value: Any) -> bool:
    return isinstance(value, dict) and (
        isinstance(value.get("edges"), list) or isinstance(value.get("nodes"), list)
    )


def jsonl(data: dict[str, Any], group: bool) -> tuple[list[bytes], int, int]:
    """(lines, objects, root objects) of an executed bulk query's data."""
    lines: list[bytes] = []
    later: list[bytes] = []
    roots = 0
    for value in data.values():
        if not _is_connection(value):
            continue
        for node in _objects(value):
            roots += 1
            _emit(node, None, lines, lines if group else later)
    return lines + later, len(lines) + len(later), roots


def _emit(node: dict[str, Any], parent: str | None, lines: list[bytes], children: list[bytes]) -> None:
    inline = {key: value for key, value in node.items() if not _is_connection(value)}
    if parent is not None:
        inline["__parentId"] = parent
    lines.append(json.dumps(inline, separators=(",", ":")).encode())
    for value in node.values():
        if _is_connection(value):
            for child in _objects(value):
                _emit(child, node.get("id"), children, children)
