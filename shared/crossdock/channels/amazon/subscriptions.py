"""Subscribing a seller to `ORDER_CHANGE` notifications on crossdock's SQS queue (Notifications API v1).

Per the model (`notifications.json`) and the use case guide: a *destination* belongs to the
application, not to a seller — `getDestinations` / `createDestination` / `deleteSubscriptionById` are
grantless (an application token for scope `sellingpartnerapi::notifications`, lwa.py) — while
`createSubscription` / `getSubscription` act for one seller (the seller's refresh-token token).
All operations: 1 r/s, burst 5. Errors are SP-API's `{"errors": [{code, message, details}]}`, mapped
to the typed ChannelErrors in responses.py.

Idempotent: the destination whose `resource.sqs.arn` is the queue's ARN is reused (an application
may not hold two destinations for one ARN: createDestination's 409 "A destination with arn … already
exists", then read again); a second createSubscription for the same seller, type and payload version
answers 409 `StateConflict` ("Subscription already exist for notification type …", reported in
amzn/selling-partner-api-models#2737 — the model names 409 but not its cause), and the existing
subscription is read with getSubscription instead.

The filter: `processingDirective.eventFilter` {eventFilterType ORDER_CHANGE, orderChangeTypes
[OrderStatusChange]}. crossdock stores an order's status, lines, totals and shipments; an
OrderStatusChange is sent for each of those moves (a new order, payment, shipment, cancellation).
A BuyerRequestedChange (a buyer asks to cancel) changes none of them until the seller acts — which
is itself an OrderStatusChange — and a DeliveryTipChange touches a tip crossdock does not keep; both
would only spend getOrder quota (0.5 r/s) on unchanged orders. The pull still reads every change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from crossdock.channels.amazon.lwa import NOTIFICATIONS_SCOPE
from crossdock.channels.amazon.normalize import CHANNEL
from crossdock.channels.amazon.spapi import SpApi, sp_api_json
from crossdock.core.errors import InvalidResponseError, RequestRejectedError
from crossdock.core.ratelimit import Rate

if TYPE_CHECKING:
    import requests

    from crossdock.channels.spec import Destination, ShopContext

NOTIFICATION_TYPE = "ORDER_CHANGE"
PAYLOAD_VERSION = "1.0"
ORDER_CHANGE_TYPES = ("OrderStatusChange",)
DESTINATIONS = "/notifications/v1/destinations"
SUBSCRIPTIONS = f"/notifications/v1/subscriptions/{NOTIFICATION_TYPE}"
NOTIFICATIONS_RATE = Rate(1.0, 5)  # every Notifications API operation (the model's usage plans)
OPERATIONS = (
    "getDestinations",
    "createDestination",
    "createSubscription",
    "getSubscription",
    "deleteSubscriptionById",
)


def subscribe(ctx: ShopContext, destination: Destination) -> dict[str, Any]:
    """The seller's ORDER_CHANGE subscription to the queue `destination.arn` names (found or made)."""
    if destination.kind != "sqs":
        raise RequestRejectedError(CHANNEL, f"ORDER_CHANGE is delivered to SQS only, not {destination.kind}")
    application = SpApi(ctx, scope=NOTIFICATIONS_SCOPE)
    destination_id = _destination_id(application, destination.arn)
    subscription = _subscription(SpApi(ctx), destination_id)
    if subscription.get("destinationId") != destination_id:
        raise RequestRejectedError(
            CHANNEL,
            f"the seller is already subscribed to {NOTIFICATION_TYPE} for destination "
            f"{subscription.get('destinationId')} (subscription {subscription.get('subscriptionId')}): "
            "unsubscribe it there first",
            status=409,
        )
    return {
        "destination_id": destination_id,
        "subscription_id": str(subscription["subscriptionId"]),
        "notification_type": NOTIFICATION_TYPE,
        "payload_version": str(subscription.get("payloadVersion") or PAYLOAD_VERSION),
        "destination_arn": destination.arn,
    }


def unsubscribe(ctx: ShopContext, record: Mapping[str, Any]) -> None:
    """Delete the seller's subscription by id (grantless); an already deleted one is fine.

    The destination stays: it belongs to the application and every other seller's subscription
    delivers to it (one destination per queue ARN), and Amazon refuses to delete a destination that
    still has subscriptions. Removing the queue is a stack change, not a shop's."""
    subscription_id = str(record.get("subscription_id") or "")
    if not subscription_id:
        raise RequestRejectedError(CHANNEL, "the shop's push record has no subscription_id")
    kind = str(record.get("notification_type") or NOTIFICATION_TYPE)
    path = f"/notifications/v1/subscriptions/{quote(kind, safe='')}/{quote(subscription_id, safe='')}"
    application = SpApi(ctx, scope=NOTIFICATIONS_SCOPE)
    try:
        application.call("deleteSubscriptionById", "DELETE", path, _reader(ctx, "deleteSubscriptionById"))
    except RequestRejectedError as exc:
        if exc.status != 404:
            raise


def _destination_id(application: SpApi, arn: str) -> str:
    found = _find_destination(application, arn)
    if found is not None:
        return found
    body = {
        "name": f"crossdock {arn.rsplit(':', 1)[-1]}"[:256],
        "resourceSpecification": {"sqs": {"arn": arn}},
    }
    try:
        created = application.call(
            "createDestination",
            "POST",
            DESTINATIONS,
            _reader(application.ctx, "createDestination"),
            body=body,
        )
    except RequestRejectedError as exc:
        if exc.status != 409 or (found := _find_destination(application, arn)) is None:
            raise
        return found
    return _id(created, "destinationId", "createDestination")


def _find_destination(application: SpApi, arn: str) -> str | None:
    answer = application.call(
        "getDestinations", "GET", DESTINATIONS, _reader(application.ctx, "getDestinations")
    )
    destinations = answer.get("payload")
    if not isinstance(destinations, list):
        raise InvalidResponseError(CHANNEL, "getDestinations answered without a payload list")
    for entry in destinations:
        sqs = ((entry or {}).get("resource") or {}).get("sqs") or {}
        if sqs.get("arn") == arn:
            return _id({"payload": entry}, "destinationId", "getDestinations")
    return None


def _subscription(seller: SpApi, destination_id: str) -> dict[str, Any]:
    body = {
        "payloadVersion": PAYLOAD_VERSION,
        "destinationId": destination_id,
        "processingDirective": {
            "eventFilter": {
                "eventFilterType": NOTIFICATION_TYPE,
                "orderChangeTypes": list(ORDER_CHANGE_TYPES),
            }
        },
    }
    try:
        created = seller.call(
            "createSubscription", "POST", SUBSCRIPTIONS, _reader(seller.ctx, "createSubscription"), body=body
        )
    except RequestRejectedError as exc:
        if exc.status != 409:
            raise
        params = {"payloadVersion": PAYLOAD_VERSION}
        created = seller.call(
            "getSubscription", "GET", SUBSCRIPTIONS, _reader(seller.ctx, "getSubscription"), params=params
        )
    _id(created, "subscriptionId", "createSubscription")
    payload: dict[str, Any] = created["payload"]
    return payload


def _id(answer: Mapping[str, Any], key: str, operation: str) -> str:
    payload = answer.get("payload")
    value = payload.get(key) if isinstance(payload, Mapping) else None
    if not isinstance(value, str) or not value:
        raise InvalidResponseError(CHANNEL, f"{operation} answered without payload.{key}")
    return value


def _reader(ctx: ShopContext, operation: str) -> Any:
    def parse(response: requests.Response) -> dict[str, Any]:
        return sp_api_json(ctx.http, operation, response)

    return parse
