"""The slice of Shopify's Admin GraphQL schema the sandbox serves.

Field names and types follow the Admin API reference (2025-10) for the fields an order pull reads,
plus the inventory slice of `inventory_sdl.py`, whose input types differ by API version era: one
schema per era (`schema_for(version)`). Anything else fails validation as it would against a schema
without it. What a document costs on it is `shopify.cost`'s, from Shopify's documented rules.
"""

from __future__ import annotations

from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode, build_schema
from graphql.execution.values import VariableValues

from crossdock_local.sandboxes.shopify import cost
from crossdock_local.sandboxes.shopify.bulk_sdl import bulk_sdl
from crossdock_local.sandboxes.shopify.inventory_sdl import ERAS, era, inventory_sdl
from crossdock_local.sandboxes.shopify.webhooks_sdl import webhooks_sdl

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

SCHEMAS = {
    name: build_schema(SDL + inventory_sdl(name) + bulk_sdl(name) + webhooks_sdl(name)) for name in ERAS
}
SCHEMA = SCHEMAS["legacy"]


def schema_for(version: str) -> GraphQLSchema:
    return SCHEMAS[era(version)]


def selections(
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: VariableValues,
    schema: GraphQLSchema = SCHEMA,
) -> tuple[cost.Field, ...]:
    """The operation's root fields as the sandbox prices them (`cost.requested_cost` of these is the
    requestedQueryCost), against `schema` (the oldest era's by default)."""
    return cost.selections(operation, fragments, variables, schema)
