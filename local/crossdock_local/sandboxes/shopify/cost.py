"""Shopify's calculated query cost, priced from Shopify's documentation on the document a client sent.

The sandbox never borrows the client's formula: it walks the parsed GraphQL operation against the
served schema and applies the documented rules, so a client that sizes its pages with a wrong
formula is refused (MAX_COST_EXCEEDED) or throttled here as it would be by Shopify.

Documented (shopify.dev "GraphQL Admin API rate limits" › Cost calculation; Shopify Engineering "Rate
limiting GraphQL APIs by calculating query complexity"; the contract, api-contracts.md §2.2 and §2.4):
- a field costs by what it returns: a scalar or an enum 0, an object 1; an interface or a union the
  maximum of its possible selections (the most expensive possible type);
- a connection (Relay: `edges { cursor node }`, `nodes`, `pageInfo`) costs 2 plus the number of objects
  requested (its `first` or `last`) times the cost of one object; pageInfo, edges and cursor belong
  to the connection and cost nothing of their own; nested connections therefore multiply;
- a mutation costs 10 (doc figure, PARTIAL in the contract: the payload is taken as included);
- the query root itself is free; the requested cost is computed before execution and one query may
  request at most 1000 points (MAX_COST_EXCEEDED, not charged); the actual cost is what the answer
  holds (a null object, or a connection returning fewer objects, costs less), never above the request.

The sandbox's reading where the documentation is silent (ASSUMED):
- a plain list of objects sized by a `first`/`last` argument (`Order.fulfillments(first: 5)`) is
  priced as a connection of that many objects; an unsized list of objects (`trackingInfo`,
  `quantities(names:)`) as one object;
- a connection costs its `first` objects even when none of their fields is selected
  (`orders(first: 5) { pageInfo { hasNextPage } }` requests 2 + 5 = 7): the documented count is of
  objects requested, not of fields selected;
- a field selected twice under one response key is one field (GraphQL merges it) and is charged once;
  aliases are distinct fields, each charged; a field under `@skip(if: true)` / `@include(if: false)`
  is not selected; `__typename` is free.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLIncludeDirective,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    NamedTypeNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_directive_values

MAX_QUERY_COST = 1000  # single-query maximum, on the requested cost
OBJECT_COST = 1
CONNECTION_COST = 2
MUTATION_COST = 10


class Shape(Enum):
    LEAF = "leaf"  # scalar or enum: 0
    OBJECT = "object"  # an object, an interface / union, or an unsized list of objects: 1 + its fields
    CONNECTION = "connection"  # 2 + size × one object
    SIZED_LIST = "sized_list"  # a list of objects with `first`/`last`: priced like a connection (ASSUMED)
    MUTATION = "mutation"  # a root field of a mutation: 10


@dataclass(frozen=True)
class Field:
    """One selected field as the sandbox prices it. `options`: the fields selected below it, one tuple
    per type the value may have (one for an object type, one per possible type of an interface/union)."""

    name: str
    key: str  # the response key: the alias, else the name
    shape: Shape = Shape.LEAF
    size: int = 0  # objects requested: `first` or `last`
    options: tuple[tuple[Field, ...], ...] = ()


@dataclass(frozen=True)
class _Context:
    schema: GraphQLSchema
    fragments: dict[str, FragmentDefinitionNode]
    variables: VariableValues


def selections(
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: VariableValues,
    schema: GraphQLSchema,
) -> tuple[Field, ...]:
    """The operation's root fields, priced-to-be; a mutation's root fields are mutations."""
    mutation = operation.operation is OperationType.MUTATION
    root = schema.mutation_type if mutation else schema.query_type
    assert root is not None
    context = _Context(schema, fragments, variables)
    found = _fields([operation.selection_set], root, context)
    return tuple(replace(field, shape=Shape.MUTATION) for field in found) if mutation else found


def requested_cost(roots: tuple[Field, ...]) -> int:
    """The requestedQueryCost: the sum of the root fields (the root itself is free)."""
    return sum(_requested(field) for field in roots)


def actual_cost(roots: tuple[Field, ...], data: dict[str, Any] | None) -> int:
    """The actualQueryCost: the request priced on what the answer holds, never above the request."""
    data = data or {}
    return min(requested_cost(roots), sum(_actual(field, data.get(field.key)) for field in roots))


# -- requested ----------------------------------------------------------------------------------------
def _requested(field: Field) -> int:
    if field.shape is Shape.LEAF:
        return 0
    if field.shape is Shape.MUTATION:
        return MUTATION_COST
    if field.shape is Shape.OBJECT:
        return OBJECT_COST + _below(field)
    if field.shape is Shape.SIZED_LIST:
        return CONNECTION_COST + field.size * (OBJECT_COST + _below(field))
    return CONNECTION_COST + field.size * (OBJECT_COST + _below_node(field))


def _below(field: Field) -> int:
    """The fields selected below an object: the most expensive of its possible types."""
    return max((sum(_requested(child) for child in option) for option in field.options), default=0)


def _below_node(connection: Field) -> int:
    """The fields selected on one object of a connection, through `nodes` or `edges { node }`."""
    costs = [0]
    for child in _children(connection):
        if child.name == "nodes":
            costs.append(_below(child))
        elif child.name == "edges":
            costs.extend(_below(node) for node in _children(child) if node.name == "node")
    return max(costs)


def _children(field: Field) -> tuple[Field, ...]:
    return tuple(child for option in field.options for child in option)


# -- actual -------------------------------------------------------------------------------------------
def _actual(field: Field, value: Any) -> int:
    if field.shape is Shape.MUTATION:
        return MUTATION_COST
    if value is None or field.shape is Shape.LEAF:
        return 0
    if field.shape is Shape.OBJECT:
        return _objects_actual(field, value)
    if field.shape is Shape.SIZED_LIST:
        return CONNECTION_COST + _objects_actual(field, value)
    costs = [0]
    for child in _children(field):
        if child.name == "nodes":
            costs.append(_objects_actual(child, value.get(child.key)))
        elif child.name == "edges":
            edges = value.get(child.key) or []
            nodes = [node for node in _children(child) if node.name == "node"]
            objects = [edge for edge in edges if edge is not None]
            if nodes:
                costs.append(
                    sum(_objects_actual(node, edge.get(node.key)) for node in nodes for edge in objects)
                )
            else:
                costs.append(OBJECT_COST * len(objects))
    return CONNECTION_COST + max(costs)


def _objects_actual(field: Field, value: Any) -> int:
    """Each object returned (one, or each element of a list) costs 1 plus its fields' actual cost."""
    elements = value if isinstance(value, list) else [value]
    return sum(OBJECT_COST + _below_actual(field, element) for element in elements if element is not None)


def _below_actual(field: Field, value: dict[str, Any]) -> int:
    return max(
        (sum(_actual(child, value.get(child.key)) for child in option) for option in field.options), default=0
    )


# -- reading the document -----------------------------------------------------------------------------
def _fields(
    selection_sets: list[SelectionSetNode], parent: GraphQLObjectType, context: _Context
) -> tuple[Field, ...]:
    """The fields selected on a value of type `parent`, merged by response key as GraphQL merges them."""
    grouped: dict[str, list[FieldNode]] = {}
    for selection_set in selection_sets:
        _collect(selection_set, parent, context, grouped)
    return tuple(_field(nodes, parent, context) for nodes in grouped.values())


def _collect(
    selection_set: SelectionSetNode,
    parent: GraphQLObjectType,
    context: _Context,
    grouped: dict[str, list[FieldNode]],
) -> None:
    for node in selection_set.selections:
        if not _included(node, context):
            continue
        if isinstance(node, FieldNode):
            grouped.setdefault(node.alias.value if node.alias else node.name.value, []).append(node)
        elif isinstance(node, InlineFragmentNode):
            if _applies(node.type_condition, parent, context):
                _collect(node.selection_set, parent, context, grouped)
        elif isinstance(node, FragmentSpreadNode):
            fragment = context.fragments.get(node.name.value)
            if fragment is not None and _applies(fragment.type_condition, parent, context):
                _collect(fragment.selection_set, parent, context, grouped)


def _included(node: Any, context: _Context) -> bool:
    skip = get_directive_values(GraphQLSkipDirective, node, context.variables)
    if skip and skip.get("if") is True:
        return False
    include = get_directive_values(GraphQLIncludeDirective, node, context.variables)
    return not (include and include.get("if") is False)


def _applies(condition: NamedTypeNode | None, parent: GraphQLObjectType, context: _Context) -> bool:
    if condition is None or condition.name.value == parent.name:
        return True
    named = context.schema.get_type(condition.name.value)
    return is_abstract_type(named) and context.schema.is_sub_type(named, parent)  # type: ignore[arg-type]


def _field(nodes: list[FieldNode], parent: GraphQLObjectType, context: _Context) -> Field:
    first = nodes[0]
    name, key = first.name.value, first.alias.value if first.alias else first.name.value
    if name.startswith("__"):
        return Field(name, key)  # __typename (and introspection): free
    definition = parent.fields[name]
    named = get_named_type(definition.type)
    if is_leaf_type(named):
        return Field(name, key)
    possible = (
        [named] if isinstance(named, GraphQLObjectType) else list(context.schema.get_possible_types(named))  # type: ignore[arg-type]
    )
    selection_sets = [node.selection_set for node in nodes if node.selection_set is not None]
    options = tuple(_fields(selection_sets, kind, context) for kind in possible)
    arguments = get_argument_values(definition, first, context.variables)
    sizes = [int(arguments[a]) for a in ("first", "last") if arguments.get(a) is not None]
    size = max(sizes, default=0)
    if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection"):
        shape = Shape.CONNECTION
    elif is_list_type(get_nullable_type(definition.type)) and sizes:  # type: ignore[arg-type]
        shape = Shape.SIZED_LIST
    else:
        shape = Shape.OBJECT
    return Field(name, key, shape, size, options)
