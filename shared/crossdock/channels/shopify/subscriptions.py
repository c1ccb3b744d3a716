"""Subscribing a Shopify store's order topics to crossdock's partner event source (Admin GraphQL).

Where: the event source's ARN, `arn:aws:events:{region}::event-source/aws.partner/shopify.com/{app
id}/{name}` (push-contracts §2.1; `event_source_arn`). The app id in it must be the app whose token
subscribes (Shopify answers "Address is invalid" otherwise), which the shop's token is.

How, by the shop's API version (option `api_version`): from 2025-10 `webhookSubscriptionCreate(topic:,
webhookSubscription: {uri: <ARN>})` ("webhookSubscriptionCreate and webhookSubscriptionUpdate support
all URI types", changelog, effective 2025-10), before it `eventBridgeWebhookSubscriptionCreate(topic:,
webhookSubscription: {arn:, format: JSON})` (2024-04 … 2025-07 references; deprecated from 2025-10).
Existing subscriptions are read back the same way: `uri` from 2025-10, `endpoint { … arn }` before.

Idempotent: the store's subscriptions of the four topics are listed first and one with the same topic
and address is kept, not created again (Shopify refuses a second one: "Address for this topic has
already been taken"); a create refused that way because an earlier attempt did create it (a lost
answer, retried) finds it on a second listing. Any other userErrors → RequestRejectedError naming
them. The record crossdock keeps: {"subscriptions": {TOPIC: gid}, "uri": ARN, "api_version": …}.
`unsubscribe` deletes each recorded id; one Shopify no longer lists is already gone, which is fine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crossdock.channels.shopify.shop import ShopifyStore
from crossdock.channels.shopify.wire import CHANNEL, connection
from crossdock.core.errors import InvalidResponseError, RequestRejectedError

if TYPE_CHECKING:
    from crossdock.channels.spec import Destination, ShopContext

TOPICS = ("ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "REFUNDS_CREATE")
URI_SINCE = "2025-10"  # the first API version whose webhookSubscriptionCreate takes `uri`
MUTATION_COST = 10  # Shopify's documented cost of a mutation
PAGE = 50  # subscriptions listed per call: a store has a handful per app
LIST_COST = 2 + PAGE * 2  # the connection, and each node with its endpoint object (over-estimates `uri`)

CREATE = """mutation CrossdockSubscribe($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id topic uri } userErrors { field message } } }"""
CREATE_EVENTBRIDGE = """mutation CrossdockSubscribe(
  $topic: WebhookSubscriptionTopic!, $sub: EventBridgeWebhookSubscriptionInput!) {
  eventBridgeWebhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
    webhookSubscription { id topic endpoint { __typename ... on WebhookEventBridgeEndpoint { arn } } }
    userErrors { field message } } }"""
LIST = """query CrossdockWebhooks($first: Int!, $cursor: String, $topics: [WebhookSubscriptionTopic!]) {
  webhookSubscriptions(first: $first, after: $cursor, topics: $topics) {
    pageInfo { hasNextPage endCursor } nodes { id topic uri } } }"""
LIST_EVENTBRIDGE = """query CrossdockWebhooks($first: Int!, $cursor: String, $topics: [WebhookSubscriptionTopic!]) {
  webhookSubscriptions(first: $first, after: $cursor, topics: $topics) {
    pageInfo { hasNextPage endCursor }
    nodes { id topic endpoint { __typename ... on WebhookEventBridgeEndpoint { arn } } } } }"""
DELETE = """mutation CrossdockUnsubscribe($id: ID!) {
  webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { field message } } }"""


def event_source_arn(region: str, event_source_name: str) -> str:
    """The ARN Shopify is given for a partner event source (push-contracts §2.1)."""
    return f"arn:aws:events:{region}::event-source/{event_source_name}"


def subscribe(ctx: ShopContext, destination: Destination) -> dict[str, Any]:
    if destination.kind != "eventbridge":
        raise RequestRejectedError(
            CHANNEL, f"Shopify order notices go to EventBridge, not {destination.kind}"
        )
    store = ShopifyStore(ctx)
    uri = destination.arn
    existing = _listed(store)
    subscriptions: dict[str, str] = {}
    for topic in TOPICS:
        found = existing.get((topic, uri))
        if found is None:
            found = _create(store, topic, uri)
        subscriptions[topic] = found
    return {"subscriptions": subscriptions, "uri": uri, "api_version": store.version}


def unsubscribe(ctx: ShopContext, record: Mapping[str, Any]) -> None:
    store = ShopifyStore(ctx)
    ids = [str(value) for value in (record.get("subscriptions") or {}).values()]
    refused: list[str] = []
    for subscription_id in ids:
        errors = store.query(
            DELETE, {"id": subscription_id}, MUTATION_COST, _payload("webhookSubscriptionDelete")
        )["userErrors"]
        if errors:
            refused.append(subscription_id)
    if refused:
        still = set(_listed(store).values())
        left = [subscription_id for subscription_id in refused if subscription_id in still]
        if left:
            raise RequestRejectedError(CHANNEL, f"webhookSubscriptionDelete refused {', '.join(left)}")


def _uses_uri(store: ShopifyStore) -> bool:
    return store.version >= URI_SINCE  # "unstable" sorts after every dated version


def _create(store: ShopifyStore, topic: str, uri: str) -> str:
    if _uses_uri(store):
        field, document, sub = "webhookSubscriptionCreate", CREATE, {"uri": uri}
    else:
        field, document = "eventBridgeWebhookSubscriptionCreate", CREATE_EVENTBRIDGE
        sub = {"arn": uri, "format": "JSON"}
    payload = store.query(document, {"topic": topic, "sub": sub}, MUTATION_COST, _payload(field))
    created = payload.get("webhookSubscription")
    if not payload["userErrors"] and isinstance(created, dict) and isinstance(created.get("id"), str):
        return str(created["id"])
    # Refused: perhaps because an earlier attempt whose answer was lost did create it.
    again = _listed(store).get((topic, uri))
    if again is not None:
        return again
    errors = "; ".join(_error_text(error) for error in payload["userErrors"]) or "no subscription returned"
    raise RequestRejectedError(CHANNEL, f"{field} {topic} → {uri} refused: {errors}")


def _listed(store: ShopifyStore) -> dict[tuple[str, str], str]:
    """{(topic, address): id} of the store's subscriptions of TOPICS made by this app."""
    document = LIST if _uses_uri(store) else LIST_EVENTBRIDGE
    found: dict[tuple[str, str], str] = {}
    cursor: str | None = None
    while True:
        variables = {"first": PAGE, "cursor": cursor, "topics": list(TOPICS)}
        page = store.query(
            document,
            variables,
            LIST_COST,
            lambda data: connection(data.get("webhookSubscriptions"), "data.webhookSubscriptions"),
        )
        for node in page.nodes:
            if not isinstance(node, dict) or not isinstance(node.get("id"), str):
                raise InvalidResponseError(CHANNEL, "a webhook subscription without an id")
            found.setdefault((str(node.get("topic")), _address(node)), node["id"])
        if not page.has_next:
            return found
        cursor = page.end_cursor


def _address(node: dict[str, Any]) -> str:
    if isinstance(node.get("uri"), str):
        return str(node["uri"])
    endpoint = node.get("endpoint")
    return str(endpoint.get("arn") or "") if isinstance(endpoint, dict) else ""


def _payload(field: str) -> Any:
    def extract(data: dict[str, Any]) -> dict[str, Any]:
        payload = data.get(field)
        if not isinstance(payload, dict) or not isinstance(payload.get("userErrors"), list):
            raise InvalidResponseError(CHANNEL, f"answer lacks data.{field}.userErrors")
        return payload

    return extract


def _error_text(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)[:200]
    field = ".".join(str(part) for part in error.get("field") or [])
    return f"{field}: {error.get('message')}" if field else str(error.get("message"))
