"""SP-API `ORDER_CHANGE` notifications, as they arrive in the SQS queue, → an OrderNotice (pure).

The SQS message body is the notification JSON itself, no SNS envelope (the official sample handler
`json.loads(record["body"])`), with PascalCase keys for ORDER_CHANGE (newer types such as
ACCOUNT_STATUS_CHANGED use camelCase). Shape and required keys from the official schema
`schemas/notifications/OrderChangeNotification.json` (selling-partner-api-models):

    {"NotificationVersion", "NotificationType": "ORDER_CHANGE", "PayloadVersion": "1.0", "EventTime",
     "Payload": {"OrderChangeNotification": {"NotificationLevel", "SellerId", "AmazonOrderId" (3-7-7),
        "OrderChangeType", "OrderChangeTrigger": {"TimeOfOrderChange" (string|null), "ChangeReason"},
        "Summary": {...}}},
     "NotificationMetadata": {"ApplicationId", "SubscriptionId", "PublishTime", "NotificationId"}}

Every required key is checked for presence and type; a missing or mistyped one refuses the message
as MALFORMED naming the field. What is *read* is only what routes it: SellerId (the shop),
AmazonOrderId (which order to get), NotificationId (replays: "unique identifier for this
notification instance"), the change type and time. The Summary's contents (statuses, items) are not
trusted for order data — the intake reads the order with getOrder — so only its presence is checked:
a drift inside it must not lose a notice the pull would otherwise have to bring hours later.
Unknown extra keys are ignored. Another notification type (a test notification, a camelCase type
sent to the same queue) is refused as NOT_ORDERS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from crossdock.channels.amazon.normalize import CHANNEL
from crossdock.core.times import parse_iso
from crossdock.orders.rules.notices import MALFORMED, NOT_ORDERS, InvalidNotice, OrderNotice

NOTIFICATION_TYPE = "ORDER_CHANGE"
PAYLOAD_VERSION = "1.0"
AMAZON_ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
SELLER_ID = re.compile(r"[A-Z0-9]{1,64}")  # merchant tokens: upper-case letters and digits
NOTIFICATION_LEVELS = frozenset({"OrderLevel", "OrderItemLevel"})
ROOT_KEYS = ("NotificationVersion", "PayloadVersion", "EventTime")
METADATA_KEYS = ("ApplicationId", "SubscriptionId", "PublishTime", "NotificationId")


def account(options: Mapping[str, Any]) -> str:
    """The SellerId a shop's notices carry: its `seller_id` option (the merchant token)."""
    seller_id = str(options.get("seller_id") or "").strip()
    if not seller_id:
        raise ValueError(
            "the shop has no `seller_id` option (its Amazon merchant token, e.g. A3TH9S8BH6GOGM)"
        )
    return seller_id


def parse(body: str) -> OrderNotice:
    """One SQS message body → the notice; InvalidNotice (MALFORMED / NOT_ORDERS) otherwise."""
    try:
        message = json.loads(body)
    except (TypeError, ValueError):
        raise InvalidNotice("the message body is not JSON") from None
    root = _object(message, "the message")
    kind = root.get("NotificationType")
    if kind is None and isinstance(root.get("notificationType"), str):
        raise InvalidNotice(
            f"a {root['notificationType']} notification is not an order change", reason=NOT_ORDERS
        )
    kind = _text(root, "NotificationType")
    if kind != NOTIFICATION_TYPE:
        raise InvalidNotice(f"a {kind} notification is not an order change", reason=NOT_ORDERS)
    for key in ROOT_KEYS:
        _text(root, key)
    if root["PayloadVersion"].split(".")[0] != PAYLOAD_VERSION.split(".")[0]:
        raise InvalidNotice(
            f"PayloadVersion {root['PayloadVersion']!r} is not the {PAYLOAD_VERSION} subscribed to"
        )
    event_time = _time(root["EventTime"], "EventTime")
    metadata = _object(root.get("NotificationMetadata"), "NotificationMetadata")
    for key in METADATA_KEYS:
        _text(metadata, key, within="NotificationMetadata")
    payload = _object(root.get("Payload"), "Payload")
    change = _object(payload.get("OrderChangeNotification"), "Payload.OrderChangeNotification")
    where = "OrderChangeNotification"
    level = _text(change, "NotificationLevel", within=where)
    if level not in NOTIFICATION_LEVELS:
        raise InvalidNotice(
            f"{where}.NotificationLevel {level!r} is not one of {sorted(NOTIFICATION_LEVELS)}"
        )
    seller_id = _matching(change, "SellerId", SELLER_ID, within=where)
    order_id = _matching(change, "AmazonOrderId", AMAZON_ORDER_ID, within=where)
    change_type = _text(change, "OrderChangeType", within=where)
    trigger = _object(change.get("OrderChangeTrigger"), f"{where}.OrderChangeTrigger")
    reason = trigger.get("ChangeReason")
    if "ChangeReason" not in trigger or not isinstance(reason, str):
        raise InvalidNotice(f"{where}.OrderChangeTrigger.ChangeReason is missing or not a string")
    if "TimeOfOrderChange" not in trigger:
        raise InvalidNotice(f"{where}.OrderChangeTrigger.TimeOfOrderChange is missing")
    changed_at = trigger["TimeOfOrderChange"]
    if changed_at is not None and not isinstance(changed_at, str):
        raise InvalidNotice(f"{where}.OrderChangeTrigger.TimeOfOrderChange is not a string or null")
    _object(change.get("Summary"), f"{where}.Summary")
    topic = f"{NOTIFICATION_TYPE}/{change_type}" + (f" ({reason})" if reason else "")
    return OrderNotice(
        channel=CHANNEL,
        account=seller_id,
        event_id=metadata["NotificationId"],
        order_id=order_id,
        topic=topic,
        # "Will be null when there is no related timestamp": then the time Amazon published it.
        occurred_at=_time(changed_at, f"{where}.OrderChangeTrigger.TimeOfOrderChange")
        if changed_at
        else event_time,
    )


def _object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        state = "missing" if value is None else f"a {type(value).__name__}, not an object"
        raise InvalidNotice(f"{name} is {state}")
    return value


def _text(parent: Mapping[str, Any], key: str, *, within: str = "") -> str:
    value = parent.get(key)
    if not isinstance(value, str) or not value.strip():
        name = f"{within}.{key}" if within else key
        raise InvalidNotice(f"{name} is missing or not a non-empty string", reason=MALFORMED)
    return value


def _matching(parent: Mapping[str, Any], key: str, pattern: re.Pattern[str], *, within: str) -> str:
    value = _text(parent, key, within=within)
    if not pattern.fullmatch(value):
        raise InvalidNotice(f"{within}.{key} {value[:40]!r} is not of the documented form")
    return value


def _time(text: str, name: str) -> datetime:
    try:
        return parse_iso(text)
    except ValueError:
        raise InvalidNotice(f"{name} {text[:40]!r} is not an ISO 8601 time with its zone") from None
