"""Shopify's calculated query cost (pure): one formula for the adapter (to size pages) and the sandbox
(to charge them), so the two cannot disagree.

Documented rules (shopify.dev GraphQL Admin rate limits; Shopify engineering "rate limiting GraphQL
APIs by calculating query complexity"): a scalar or enum costs 0, an object 1, a connection 2 plus
`first` times the cost of one node (nested connections multiply); the root is free and one query may
request at most 1000 points (else MAX_COST_EXCEEDED). Two rules are ours, chosen to over-estimate
rather than under-estimate: a plain list of objects bounded by `first` (`Order.fulfillments(first:)`)
is charged like a connection, and an unbounded list (`Fulfillment.trackingInfo`) like one object.
The products(first: 10) { variants(first: 5) } example of the docs prices at 82, as documented.
A mutation field costs 10 with its payload (documented figure, PARTIAL; mutations with small payloads
report requestedQueryCost 10), so `inventorySetQuantities` is 10 points whatever it selects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum

MAX_QUERY_COST = 1000  # single-query maximum, checked on the requested cost
MAX_PAGE_SIZE = 250  # connection limit for `first`
CONNECTION_OVERHEAD = 2
MUTATION_COST = 10


class Kind(Enum):
    SCALAR = "scalar"  # scalars and enums
    OBJECT = "object"  # an object, or a list of objects without `first`
    CONNECTION = "connection"  # a Relay connection: pageInfo, nodes, edges { node }
    LIST = "list"  # a plain list of objects bounded by `first`
    MUTATION = "mutation"  # a root field of a mutation: flat MUTATION_COST, payload included


@dataclass(frozen=True)
class Selection:
    """One selected field: how it is charged (`kind`, `first`) and how it is written (`arguments`, the
    text between the parentheses, which must pass that same `first`)."""

    name: str
    kind: Kind = Kind.SCALAR
    children: tuple[Selection, ...] = ()
    first: int = 0
    arguments: str = ""
    alias: str = ""

    @property
    def key(self) -> str:
        """The field's key in the response."""
        return self.alias or self.name


def requested_cost(selection: Selection) -> int:
    """What Shopify charges up front for one field and everything below it."""
    if selection.kind is Kind.SCALAR:
        return 0
    if selection.kind is Kind.MUTATION:
        return MUTATION_COST
    if selection.kind is Kind.OBJECT:
        return 1 + _children_cost(selection)
    if selection.kind is Kind.LIST:
        return CONNECTION_OVERHEAD + selection.first * (1 + _children_cost(selection))
    return CONNECTION_OVERHEAD + selection.first * node_cost(selection)


def node_cost(connection: Selection) -> int:
    """The cost of one node of a connection: `nodes { … }` or `edges { node { … } }` (pageInfo is free)."""
    costs = [0]
    for child in connection.children:
        if child.name == "nodes":
            costs.append(requested_cost(child))
        elif child.name == "edges":
            costs.append(_children_cost(child))
    return max(costs)


def query_cost(roots: Sequence[Selection]) -> int:
    """The requestedQueryCost of a query: the sum of its root fields (the query root is free)."""
    return sum(requested_cost(root) for root in roots)


def largest_first(build: Callable[[int], Sequence[Selection]], *, limit: int = MAX_PAGE_SIZE) -> int:
    """The largest `first` for which the query `build(first)` stays within MAX_QUERY_COST.

    A query's cost grows linearly with the `first` of its outer connection, so two samples give it."""
    base = query_cost(build(0))
    per_node = query_cost(build(1)) - base
    if base + per_node > MAX_QUERY_COST:
        raise ValueError(f"one node already costs {base + per_node} points, over {MAX_QUERY_COST}")
    return limit if per_node == 0 else min(limit, (MAX_QUERY_COST - base) // per_node)


def _children_cost(selection: Selection) -> int:
    return sum(requested_cost(child) for child in selection.children)
