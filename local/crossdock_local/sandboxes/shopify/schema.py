"""The slice of Shopify's Admin GraphQL schema the sandbox serves, and what a document costs on it.

Field names and types follow the Admin API reference (2025-10) for the fields an order pull reads,
plus the inventory slice of `shopify_inventory_sdl`, whose input types differ by API version era: one
schema per era (`schema_for(version)`). Anything else fails validation as it would against a schema
without it. Costs: each selected field is turned into a `Selection` (scalar/enum, object, connection,
`first`-bounded list, mutation) with its `first` taken from literals or variables, and priced by
`crossdock.channels.shopify.cost`, the same formula the adapter sizes its pages with. The actual cost
prices what was returned, never above the requested.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from crossdock.channels.shopify.cost import Kind, Selection, requested_cost
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    build_schema,
    get_named_type,
    get_nullable_type,
    is_leaf_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values

from crossdock_local.sandboxes.shopify.inventory_sdl import ERAS, era, inventory_sdl

SDL = """
schema { query: QueryRoot }
scalar DateTime
scalar Decimal
scalar URL
scalar UnsignedInt64
enum CurrencyCode {
  AUD BRL CAD CHF CNY DKK EUR GBP HKD INR JPY KRW MXN NOK NZD PLN SEK SGD TWD USD
}
enum OrderDisplayFinancialStatus {
  AUTHORIZED EXPIRED PAID PARTIALLY_PAID PARTIALLY_REFUNDED PENDING REFUNDED VOIDED
}
enum OrderDisplayFulfillmentStatus {
  FULFILLED IN_PROGRESS ON_HOLD OPEN PARTIALLY_FULFILLED PENDING_FULFILLMENT REQUEST_DECLINED
  RESTOCKED SCHEDULED UNFULFILLED
}
enum OrderSortKeys {
  CREATED_AT CUSTOMER_NAME DESTINATION FINANCIAL_STATUS FULFILLMENT_STATUS ID ORDER_NUMBER PO_NUMBER
  PROCESSED_AT RELEVANCE TOTAL_ITEMS_QUANTITY TOTAL_PRICE UPDATED_AT
}
enum FulfillmentStatus { CANCELLED ERROR FAILURE OPEN PENDING SUCCESS }
type PageInfo { endCursor: String hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String }
type MoneyV2 { amount: Decimal! currencyCode: CurrencyCode! }
type MoneyBag { presentmentMoney: MoneyV2! shopMoney: MoneyV2! }
type Customer { displayName: String! email: String firstName: String id: ID! lastName: String }
type MailingAddress { city: String countryCodeV2: String firstName: String lastName: String name: String }
type FulfillmentTrackingInfo { company: String number: String url: URL }
type Fulfillment {
  createdAt: DateTime! id: ID! name: String! status: FulfillmentStatus!
  trackingInfo(first: Int): [FulfillmentTrackingInfo!]!
}
type LineItem {
  id: ID! name: String! originalUnitPriceSet: MoneyBag! quantity: Int! sku: String title: String!
}
type LineItemEdge { cursor: String! node: LineItem! }
type LineItemConnection { edges: [LineItemEdge!]! nodes: [LineItem!]! pageInfo: PageInfo! }
type Order {
  billingAddress: MailingAddress cancelledAt: DateTime closed: Boolean! closedAt: DateTime
  createdAt: DateTime! currencyCode: CurrencyCode! customer: Customer
  displayFinancialStatus: OrderDisplayFinancialStatus
  displayFulfillmentStatus: OrderDisplayFulfillmentStatus! email: String
  fulfillments(first: Int): [Fulfillment!]! id: ID! legacyResourceId: UnsignedInt64!
  lineItems(after: String, before: String, first: Int, last: Int, reverse: Boolean = false): LineItemConnection!
  name: String! note: String processedAt: DateTime! totalPriceSet: MoneyBag! updatedAt: DateTime!
}
type OrderEdge { cursor: String! node: Order! }
type OrderConnection { edges: [OrderEdge!]! nodes: [Order!]! pageInfo: PageInfo! }
type Shop { name: String! }
type QueryRoot {
  shop: Shop!
  order(id: ID!): Order
  orders(
    after: String, before: String, first: Int, last: Int, query: String, reverse: Boolean = false,
    savedSearchId: ID, sortKey: OrderSortKeys = PROCESSED_AT
  ): OrderConnection!
}
"""

SCHEMAS = {name: build_schema(SDL + inventory_sdl(name)) for name in ERAS}
SCHEMA = SCHEMAS["legacy"]


def schema_for(version: str) -> GraphQLSchema:
    return SCHEMAS[era(version)]


def selections(
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: VariableValues,
    schema: GraphQLSchema = SCHEMA,
) -> tuple[Selection, ...]:
    """The operation's root fields as cost `Selection`s, arguments resolved; a mutation's root
    fields are priced as mutations."""
    mutation = operation.operation is OperationType.MUTATION
    root = schema.mutation_type if mutation else schema.query_type
    assert root is not None
    found = _fields(operation.selection_set, root, fragments, variables)
    return tuple(replace(field, kind=Kind.MUTATION) for field in found) if mutation else found


def _fields(
    selection_set: SelectionSetNode,
    parent: GraphQLObjectType,
    fragments: dict[str, FragmentDefinitionNode],
    variables: VariableValues,
) -> tuple[Selection, ...]:
    found: list[Selection] = []
    for node in selection_set.selections:
        if isinstance(node, InlineFragmentNode):
            found.extend(_fields(node.selection_set, parent, fragments, variables))
        elif isinstance(node, FragmentSpreadNode):
            found.extend(_fields(fragments[node.name.value].selection_set, parent, fragments, variables))
        elif isinstance(node, FieldNode) and node.name.value != "__typename":
            found.append(_field(node, parent, fragments, variables))
    return tuple(found)


def _field(
    node: FieldNode,
    parent: GraphQLObjectType,
    fragments: dict[str, FragmentDefinitionNode],
    variables: VariableValues,
) -> Selection:
    definition = parent.fields[node.name.value]
    named = get_named_type(definition.type)
    alias = node.alias.value if node.alias else ""
    if is_leaf_type(named) or not isinstance(named, GraphQLObjectType) or node.selection_set is None:
        return Selection(node.name.value, Kind.SCALAR, alias=alias)
    arguments = get_argument_values(definition, node, variables)
    first = arguments.get("first") or arguments.get("last")
    children = _fields(node.selection_set, named, fragments, variables)
    if named.name.endswith("Connection"):
        kind = Kind.CONNECTION
    elif is_list_type(get_nullable_type(definition.type)) and first is not None:
        kind = Kind.LIST
    else:
        kind = Kind.OBJECT
    return Selection(node.name.value, kind, children, int(first or 0), alias=alias)


def actual_cost(selection: Selection, value: Any) -> int:
    """What the answer actually holds, priced like the request (objects 1, connections 2 + nodes)."""
    if selection.kind is Kind.MUTATION:
        return requested_cost(selection)
    if value is None or selection.kind is Kind.SCALAR:
        return 0
    elements = value if isinstance(value, list) else [value]
    if selection.kind is Kind.OBJECT:
        return sum(1 + _children_actual(selection, element) for element in elements if element is not None)
    if selection.kind is Kind.LIST:
        return 2 + sum(
            1 + _children_actual(selection, element) for element in elements if element is not None
        )
    costs = [0]
    for child in selection.children:
        if child.name == "nodes":
            costs.append(actual_cost(child, value.get(child.key)))
        elif child.name == "edges":
            costs.append(sum(_children_actual(child, edge) for edge in value.get(child.key) or []))
    return 2 + max(costs)


def _children_actual(selection: Selection, value: dict[str, Any]) -> int:
    return sum(actual_cost(child, value.get(child.key)) for child in selection.children)
