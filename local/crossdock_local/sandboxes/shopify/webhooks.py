"""Resolvers of the webhook-subscription slice (`webhooks_sdl.py`) on a store's `WebhookBook`.

User errors come back as Shopify answers them: HTTP 200, the payload's `webhookSubscription` null and
`userErrors [{field, message}]`. `uri` on a version before 2025-10 is a GraphQL error, as an unknown
input field is on those versions' schema. Deleting an id the store does not have answers the user
error "Webhook subscription does not exist".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo

from crossdock_local.sandboxes.shopify.resolvers import _connection, _page_size, attach
from crossdock_local.sandboxes.shopify.webhook_book import Subscription, WebhookBook

URI_SINCE = "2025-10"


def _book(info: GraphQLResolveInfo) -> WebhookBook:
    book: WebhookBook = info.context.store.webhooks
    return book


def _created(info: GraphQLResolveInfo, topic: str, uri: str, fmt: str, field: list[str]) -> dict[str, Any]:
    book = _book(info)
    made = book.add(topic, uri, fmt, datetime.now(UTC))
    if isinstance(made, Subscription):
        book.watch(info.context.store.book)
        return {"webhookSubscription": book.render(made), "userErrors": []}
    return {"webhookSubscription": None, "userErrors": [{"field": field, "message": made}]}


def resolve_create(
    _root: Any, info: GraphQLResolveInfo, topic: str, webhookSubscription: dict[str, Any]
) -> Any:
    given = webhookSubscription
    version = info.context.version
    if "uri" in given and version < URI_SINCE:
        raise GraphQLError(
            f"Variable $webhookSubscription: Field 'uri' is not defined by type 'WebhookSubscriptionInput' "
            f"in API version {version}."
        )
    uri, field = (given.get("uri"), "uri") if given.get("uri") else (given.get("callbackUrl"), "callbackUrl")
    if not uri:
        return {
            "webhookSubscription": None,
            "userErrors": [{"field": ["webhookSubscription"], "message": "Address can't be blank"}],
        }
    return _created(info, topic, str(uri), given.get("format") or "JSON", ["webhookSubscription", field])


def resolve_create_eventbridge(
    _root: Any, info: GraphQLResolveInfo, topic: str, webhookSubscription: dict[str, Any]
) -> Any:
    arn = webhookSubscription.get("arn")
    if not arn:
        return {
            "webhookSubscription": None,
            "userErrors": [{"field": ["webhookSubscription", "arn"], "message": "Address can't be blank"}],
        }
    book = _book(info)
    if book.address_problem(str(arn)) is None and not str(arn).startswith("arn:"):
        return {
            "webhookSubscription": None,
            "userErrors": [{"field": ["webhookSubscription", "arn"], "message": "Address is invalid"}],
        }
    fmt = webhookSubscription.get("format") or "JSON"
    return _created(info, topic, str(arn), fmt, ["webhookSubscription", "arn"])


def resolve_delete(_root: Any, info: GraphQLResolveInfo, id: str) -> Any:
    if _book(info).remove(id):
        return {"deletedWebhookSubscriptionId": id, "userErrors": []}
    return {
        "deletedWebhookSubscriptionId": None,
        "userErrors": [{"field": ["id"], "message": "Webhook subscription does not exist"}],
    }


def resolve_list(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    first = _page_size(args.get("first"), args.get("last"), args.get("before"))
    book = _book(info)
    topics = set(args.get("topics") or [])
    with book.lock:
        rows = [("", s.number, book.render(s)) for s in book.subscriptions if not topics or s.topic in topics]
    return _connection(rows, first, args.get("after"), bool(args.get("reverse")))


attach("QueryRoot", "webhookSubscriptions", resolve_list)
attach("Mutation", "webhookSubscriptionCreate", resolve_create)
attach("Mutation", "eventBridgeWebhookSubscriptionCreate", resolve_create_eventbridge)
attach("Mutation", "webhookSubscriptionDelete", resolve_delete)
