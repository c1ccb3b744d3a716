"""The Notifications API v1 side of the Amazon sandbox: destinations and ORDER_CHANGE subscriptions.

From the official model (`notifications.json`): every operation 1 r/s, burst 5; destinations and
`getSubscriptionById` / `deleteSubscriptionById` are grantless (an application token for scope
`sellingpartnerapi::notifications`), `createSubscription` / `getSubscription` act for one seller (the
seller's token). Bodies `{"payload": …}`, errors `{"errors": [{code, message, details}]}`.

Rules the sandbox enforces as SP-API does:
- createDestination: `name` (≤ 256) and `resourceSpecification` required; `sqs.arn` matches
  `^arn:aws:sqs:\\S+:\\S+:\\S+` (≤ 1000); a second destination for the same ARN is 409 `Conflict`
  ("A destination with arn … already exists for the application", as developers report).
- createSubscription: `payloadVersion` and `destinationId` required, the destination must exist;
  `eventFilter` needs `eventFilterType` (ORDER_CHANGE for this type), `orderChangeTypes` from the
  model's enum, and excludes `filterExpression`; one subscription per seller, type and payload
  version — a second is 409 `StateConflict` ("Subscription already exist for notification type …").
- a destination with subscriptions cannot be deleted (409).
The sandbox offers SQS destinations and ORDER_CHANGE only (EventBridge and other types: 400).
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crossdock_local.sandboxes.amazon.lwa import LwaAuthority
from crossdock_local.sandboxes.amazon.wire import sp_api_error
from crossdock_local.sandboxes.base import Reply, Request, Route, route
from crossdock_local.sandboxes.buckets import Rate

SCOPE = "sellingpartnerapi::notifications"
ORDER_CHANGE = "ORDER_CHANGE"
PAYLOAD_VERSIONS = {ORDER_CHANGE: ("1.0",)}
ORDER_CHANGE_TYPES = frozenset({"BuyerRequestedChange", "DeliveryTipChange", "OrderStatusChange"})
SQS_ARN = re.compile(r"arn:aws:sqs:\S+:\S+:\S+")
NOTIFICATION_OPERATIONS = (
    "getDestinations",
    "createDestination",
    "getDestination",
    "deleteDestination",
    "createSubscription",
    "getSubscription",
    "getSubscriptionById",
    "deleteSubscriptionById",
)
NOTIFICATION_RATES = dict.fromkeys(NOTIFICATION_OPERATIONS, Rate(1.0, 5))
GRANTLESS = frozenset(
    {
        "getDestinations",
        "createDestination",
        "getDestination",
        "deleteDestination",
        "getSubscriptionById",
        "deleteSubscriptionById",
    }
)


class Invalid(Exception):
    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.reply = sp_api_error(status, code, message, details)


@dataclass
class Subscription:
    subscription_id: str
    shop_id: str  # the seller who subscribed
    notification_type: str
    payload_version: str
    destination_id: str
    processing_directive: dict[str, Any] | None = None

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "subscriptionId": self.subscription_id,
            "payloadVersion": self.payload_version,
            "destinationId": self.destination_id,
        }
        if self.processing_directive:
            body["processingDirective"] = self.processing_directive
        return body

    def takes(self, change_type: str) -> bool:
        """Whether the subscription's eventFilter lets this OrderChangeType through (none: all)."""
        event_filter = (self.processing_directive or {}).get("eventFilter") or {}
        types = event_filter.get("orderChangeTypes")
        return not types or change_type in types


@dataclass
class NotificationsApi:
    lwa: LwaAuthority
    application_id: str = field(default_factory=lambda: f"amzn1.sp.solution.{uuid.uuid4()}")
    destinations: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → Destination payload
    subscriptions: dict[str, Subscription] = field(default_factory=dict)  # id → subscription
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_subscribed: Callable[[str], None] = lambda shop_id: None  # a seller's subscription was made

    def routes(self) -> list[Route]:
        base = "/notifications/v1"
        kind = r"(?P<type>[A-Z_]+)"
        return [
            route("GET", rf"{base}/destinations", "getDestinations", self._guarded(self._destinations)),
            route("POST", rf"{base}/destinations", "createDestination", self._guarded(self._create_destination)),
            route("GET", rf"{base}/destinations/(?P<id>[^/]+)", "getDestination", self._guarded(self._destination)),
            route("DELETE", rf"{base}/destinations/(?P<id>[^/]+)", "deleteDestination", self._guarded(self._delete_destination)),
            route("POST", rf"{base}/subscriptions/{kind}", "createSubscription", self._seller(self._create_subscription)),
            route("GET", rf"{base}/subscriptions/{kind}", "getSubscription", self._seller(self._subscription)),
            route("GET", rf"{base}/subscriptions/{kind}/(?P<id>[^/]+)", "getSubscriptionById", self._guarded(self._subscription_by_id)),
            route("DELETE", rf"{base}/subscriptions/{kind}/(?P<id>[^/]+)", "deleteSubscriptionById", self._guarded(self._delete_subscription)),
        ]  # fmt: skip

    def of_seller(
        self, shop_id: str, notification_type: str = ORDER_CHANGE
    ) -> list[tuple[Subscription, str]]:
        """The seller's subscriptions of a type with their destinations' SQS ARNs."""
        with self.lock:
            return [
                (s, self.destinations[s.destination_id]["resource"]["sqs"]["arn"])
                for s in self.subscriptions.values()
                if s.shop_id == shop_id and s.notification_type == notification_type
            ]

    # -- auth wrappers ------------------------------------------------------------------------------
    def _guarded(self, handler: Any) -> Any:
        def serve(request: Request, match: re.Match[str]) -> Reply:
            refused = self.lwa.authorize_application(request, SCOPE)
            return refused if refused is not None else self._answer(handler, request, match)

        return serve

    def _seller(self, handler: Any) -> Any:
        def serve(request: Request, match: re.Match[str]) -> Reply:
            owner = self.lwa.authorize(request)
            if isinstance(owner, Reply):
                return owner
            return self._answer(handler, request, match, owner)

        return serve

    @staticmethod
    def _answer(handler: Any, request: Request, match: re.Match[str], *owner: str) -> Reply:
        try:
            body = handler(request, match, *owner)
        except Invalid as exc:
            return exc.reply
        return Reply(200, body, {"x-amzn-RateLimit-Limit": "1.0", "x-amzn-RequestId": str(uuid.uuid4())})

    # -- destinations -----------------------------------------------------------------------------
    def _destinations(self, request: Request, match: re.Match[str]) -> dict[str, Any]:
        with self.lock:
            return {"payload": list(self.destinations.values())}

    def _create_destination(self, request: Request, match: re.Match[str]) -> dict[str, Any]:
        body = _json_object(request)
        name, spec = body.get("name"), body.get("resourceSpecification")
        if not isinstance(name, str) or not name or len(name) > 256:
            raise Invalid(400, "InvalidInput", "name is required (at most 256 characters).")
        if not isinstance(spec, dict) or not spec:
            raise Invalid(400, "InvalidInput", "resourceSpecification is required.")
        if "eventBridge" in spec:
            raise Invalid(400, "InvalidInput", "This sandbox offers SQS destinations only.")
        arn = (spec.get("sqs") or {}).get("arn") if isinstance(spec.get("sqs"), dict) else None
        if not isinstance(arn, str) or len(arn) > 1000 or not SQS_ARN.fullmatch(arn):
            raise Invalid(400, "InvalidInput", "resourceSpecification.sqs.arn is not a valid SQS queue ARN.")
        with self.lock:
            if any(d["resource"]["sqs"]["arn"] == arn for d in self.destinations.values()):
                message = "The requested resource conflict with a resource in the server."
                details = (
                    f"A destination with arn {arn} already exists for the application {self.application_id}"
                )
                raise Invalid(409, "Conflict", message, details)
            destination_id = str(uuid.uuid4())
            destination = {"destinationId": destination_id, "name": name, "resource": {"sqs": {"arn": arn}}}
            self.destinations[destination_id] = destination
        return {"payload": destination}

    def _destination(self, request: Request, match: re.Match[str]) -> dict[str, Any]:
        with self.lock:
            found = self.destinations.get(match["id"])
        if found is None:
            raise Invalid(404, "NotFound", "The resource specified does not exist.")
        return {"payload": found}

    def _delete_destination(self, request: Request, match: re.Match[str]) -> dict[str, Any]:
        with self.lock:
            if match["id"] not in self.destinations:
                raise Invalid(404, "NotFound", "The resource specified does not exist.")
            if any(s.destination_id == match["id"] for s in self.subscriptions.values()):
                message = "The resource specified conflicts with the current state."
                raise Invalid(409, "StateConflict", message, "Destination has subscriptions")
            del self.destinations[match["id"]]
        return {}

    # -- subscriptions ----------------------------------------------------------------------------
    def _create_subscription(self, request: Request, match: re.Match[str], shop_id: str) -> dict[str, Any]:
        kind = _offered(match["type"])
        body = _json_object(request)
        version, destination_id = body.get("payloadVersion"), body.get("destinationId")
        if not isinstance(version, str) or not isinstance(destination_id, str):
            raise Invalid(400, "InvalidInput", "payloadVersion and destinationId are required.")
        if version not in PAYLOAD_VERSIONS[kind]:
            raise Invalid(400, "InvalidInput", f"payloadVersion {version} is not offered for {kind}.")
        directive = _directive(body.get("processingDirective"), kind)
        with self.lock:
            if destination_id not in self.destinations:
                details = (
                    f"No destination with id '{destination_id}' for applicationId '{self.application_id}'"
                )
                raise Invalid(400, "InvalidInput", "Invalid destinationId.", details)
            if any((s.shop_id, s.notification_type, s.payload_version) == (shop_id, kind, version)
                   for s in self.subscriptions.values()):  # fmt: skip
                message = "The resource specified conflicts with the current state."
                raise Invalid(
                    409, "StateConflict", message, f"Subscription already exist for notification type {kind}"
                )
            made = Subscription(str(uuid.uuid4()), shop_id, kind, version, destination_id, directive)
            self.subscriptions[made.subscription_id] = made
        self.on_subscribed(shop_id)  # deliveries follow the seller's book from now on
        return {"payload": made.payload()}

    def _subscription(self, request: Request, match: re.Match[str], shop_id: str) -> dict[str, Any]:
        kind = _offered(match["type"])
        version = request.query.get("payloadVersion")
        with self.lock:
            mine = [
                s for s in self.subscriptions.values() if (s.shop_id, s.notification_type) == (shop_id, kind)
            ]
        found = [s for s in mine if version is None or s.payload_version == version]
        if not found:
            raise Invalid(404, "NotFound", "The resource specified does not exist.")
        return {"payload": max(found, key=lambda s: s.payload_version).payload()}

    def _subscription_by_id(self, request: Request, match: re.Match[str]) -> dict[str, Any]:
        with self.lock:
            found = self.subscriptions.get(match["id"])
        if found is None or found.notification_type != match["type"]:
            raise Invalid(404, "NotFound", "The resource specified does not exist.")
        return {"payload": found.payload()}

    def _delete_subscription(self, request: Request, match: re.Match[str]) -> dict[str, Any]:
        with self.lock:
            found = self.subscriptions.get(match["id"])
            if found is None or found.notification_type != match["type"]:
                raise Invalid(404, "NotFound", "The resource specified does not exist.")
            del self.subscriptions[match["id"]]
        return {}


def _offered(kind: str) -> str:
    if kind not in PAYLOAD_VERSIONS:
        raise Invalid(400, "InvalidInput", f"Notification type {kind} is not offered by this sandbox.")
    return kind


def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError:
        raise Invalid(400, "InvalidInput", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Invalid(400, "InvalidInput", "The request body must be a JSON object.")
    return body


def _directive(value: Any, kind: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise Invalid(400, "InvalidInput", "processingDirective must be an object.")
    event_filter = value.get("eventFilter")
    if event_filter is not None and "filterExpression" in value:
        raise Invalid(400, "InvalidInput", "eventFilter and filterExpression are mutually exclusive.")
    if event_filter is None:
        return value
    if not isinstance(event_filter, dict) or event_filter.get("eventFilterType") != kind:
        raise Invalid(400, "InvalidInput", f"eventFilter.eventFilterType must be {kind}.")
    types = event_filter.get("orderChangeTypes")
    if types is not None and (not isinstance(types, list) or not set(types) <= ORDER_CHANGE_TYPES):
        raise Invalid(400, "InvalidInput", f"orderChangeTypes must be among {sorted(ORDER_CHANGE_TYPES)}.")
    return value
