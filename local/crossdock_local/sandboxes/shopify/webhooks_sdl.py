"""The webhook-subscription slice of the Shopify Admin GraphQL schema (push-contracts §2.2).

`webhookSubscriptionCreate(topic:, webhookSubscription: WebhookSubscriptionInput!)` — its input takes
`uri` (HTTPS URL, pubsub://, or an EventBridge event-source ARN) from 2025-10 only, `callbackUrl`
before (deprecated since); the resolver refuses `uri` on older versions as their schema would (one
schema serves 2025-01 … 2025-10 here, so the check is at run time). `eventBridgeWebhookSubscriptionCreate`
(`arn`, `format`, …) on every version (deprecated from 2025-10, still served); `webhookSubscriptionDelete`;
`webhookSubscriptions(first:, after:, topics:)`. `WebhookSubscription` carries both `uri` and the
deprecated `endpoint` union. Names and types follow the 2024-07 … 2026-07 references.
"""

from __future__ import annotations

WEBHOOKS_SDL = """
scalar ARN
enum WebhookSubscriptionTopic {
  APP_UNINSTALLED BULK_OPERATIONS_FINISH INVENTORY_LEVELS_UPDATE ORDERS_CANCELLED ORDERS_CREATE
  ORDERS_FULFILLED ORDERS_PAID ORDERS_UPDATED PRODUCTS_UPDATE REFUNDS_CREATE
}
enum WebhookSubscriptionFormat { JSON XML }
type UserError { field: [String!] message: String! }
type WebhookEventBridgeEndpoint { arn: ARN! }
type WebhookHttpEndpoint { callbackUrl: URL! }
type WebhookPubSubEndpoint { pubSubProject: String! pubSubTopic: String! }
union WebhookSubscriptionEndpoint = WebhookEventBridgeEndpoint | WebhookHttpEndpoint | WebhookPubSubEndpoint
type WebhookSubscription {
  createdAt: DateTime! endpoint: WebhookSubscriptionEndpoint! filter: String
  format: WebhookSubscriptionFormat! id: ID! includeFields: [String!]! legacyResourceId: UnsignedInt64!
  topic: WebhookSubscriptionTopic! updatedAt: DateTime! uri: String!
}
type WebhookSubscriptionEdge { cursor: String! node: WebhookSubscription! }
type WebhookSubscriptionConnection {
  edges: [WebhookSubscriptionEdge!]! nodes: [WebhookSubscription!]! pageInfo: PageInfo!
}
input WebhookSubscriptionInput {
  callbackUrl: URL filter: String format: WebhookSubscriptionFormat includeFields: [String!]
  metafieldNamespaces: [String!] uri: String
}
input EventBridgeWebhookSubscriptionInput {
  arn: ARN filter: String format: WebhookSubscriptionFormat includeFields: [String!]
  metafieldNamespaces: [String!]
}
type WebhookSubscriptionCreatePayload { userErrors: [UserError!]! webhookSubscription: WebhookSubscription }
type EventBridgeWebhookSubscriptionCreatePayload {
  userErrors: [UserError!]! webhookSubscription: WebhookSubscription
}
type WebhookSubscriptionDeletePayload { deletedWebhookSubscriptionId: ID userErrors: [UserError!]! }
extend type QueryRoot {
  webhookSubscriptions(
    after: String, before: String, callbackUrl: URL, first: Int, format: WebhookSubscriptionFormat,
    last: Int, query: String, reverse: Boolean = false, topics: [WebhookSubscriptionTopic!]
  ): WebhookSubscriptionConnection!
}
extend type Mutation {
  eventBridgeWebhookSubscriptionCreate(
    topic: WebhookSubscriptionTopic!, webhookSubscription: EventBridgeWebhookSubscriptionInput!
  ): EventBridgeWebhookSubscriptionCreatePayload
  webhookSubscriptionCreate(
    topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!
  ): WebhookSubscriptionCreatePayload
  webhookSubscriptionDelete(id: ID!): WebhookSubscriptionDeletePayload
}
"""


def webhooks_sdl(era_name: str) -> str:
    """The same slice on every era (version differences are checked by the resolvers)."""
    return WEBHOOKS_SDL
