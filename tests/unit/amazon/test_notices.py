"""SP-API ORDER_CHANGE message bodies → OrderNotice: the documented example, every required field,
other notification types, and arbitrary damage (hypothesis) ending only in InvalidNotice."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from crossdock.channels.amazon.channel import SPEC
from crossdock.channels.amazon.notices import account, parse
from crossdock.orders.rules.notices import MALFORMED, NOT_ORDERS, InvalidNotice
from hypothesis import given
from hypothesis import strategies as st

# The example of the official schema (selling-partner-api-models,
# schemas/notifications/OrderChangeNotification.json, Apache-2.0), unchanged.
EXAMPLE: dict[str, Any] = {
    "NotificationVersion": "1.0",
    "NotificationType": "ORDER_CHANGE",
    "PayloadVersion": "1.0",
    "EventTime": "2020-01-11T00:09:53.109Z",
    "Payload": {
        "OrderChangeNotification": {
            "NotificationLevel": "OrderLevel",
            "SellerId": "A3TH9S8BH6GOGM",
            "AmazonOrderId": "903-8868176-2219830",
            "OrderChangeType": "BuyerRequestedChange",
            "OrderChangeTrigger": {
                "TimeOfOrderChange": "2022-11-29T19:42:04.284Z",
                "ChangeReason": "Buyer Requested Cancel",
            },
            "Summary": {
                "MarketplaceId": "ATVPDKIKX0DER",
                "OrderStatus": "Unshipped",
                "PurchaseDate": "2022-07-13T19:42:04.284Z",
                "DestinationPostalCode": "48110",
                "FulfillmentType": "MFN",
                "OrderType": "StandardOrder",
                "NumberOfItemsShipped": 0,
                "NumberOfItemsUnshipped": 10,
                "EarliestDeliveryDate": "2022-11-07T19:42:04.284Z",
                "LatestDeliveryDate": "2022-12-07T19:42:04.284Z",
                "EarliestShipDate": "2022-11-07T19:42:04.284Z",
                "LatestShipDate": "2022-12-07T19:42:04.284Z",
                "CancelNotifyDate": "2022-12-07T19:42:04.284Z",
                "OrderPrograms": ["Business"],
                "ShippingPrograms": ["EasyShip"],
                "EasyShipShipmentStatus": "Delivered",
                "ElectronicInvoiceStatus": "NotFound",
                "OrderItems": [
                    {
                        "OrderItemId": "OIID34853450",
                        "SellerSKU": "SellerSKUID1",
                        "SupplySourceId": "d7679e14-031b-4ab3-a81b-ec4fc7a460b3",
                        "OrderItemStatus": "Unshipped",
                        "Quantity": 10,
                        "QuantityShipped": 0,
                        "IsBuyerRequestedCancel": True,
                        "ItemEarliestDeliveryDate": "2022-11-07T19:42:04.284Z",
                        "ItemLatestDeliveryDate": "2022-12-07T19:42:04.284Z",
                    }
                ],
            },
        }
    },
    "NotificationMetadata": {
        "ApplicationId": "app-id-d0e9e693-c3ad-4373-979f-ed4ec98dd746",
        "SubscriptionId": "subscription-id-d0e9e693-c3ad-4373-979f-ed4ec98dd746",
        "PublishTime": "2020-07-13T19:42:04.284Z",
        "NotificationId": "d0e9e693-c3ad-4373-979f-ed4ec98dd746",
    },
}
CHANGE = ("Payload", "OrderChangeNotification")
REQUIRED = [
    ("NotificationVersion",),
    ("NotificationType",),
    ("PayloadVersion",),
    ("EventTime",),
    ("Payload",),
    ("NotificationMetadata",),
    ("Payload", "OrderChangeNotification"),
    *[(*CHANGE, key) for key in ("NotificationLevel", "SellerId", "AmazonOrderId", "OrderChangeType")],
    (*CHANGE, "OrderChangeTrigger"),
    (*CHANGE, "OrderChangeTrigger", "TimeOfOrderChange"),
    (*CHANGE, "OrderChangeTrigger", "ChangeReason"),
    (*CHANGE, "Summary"),
    *[
        ("NotificationMetadata", key)
        for key in ("ApplicationId", "SubscriptionId", "PublishTime", "NotificationId")
    ],
]


def body(**changes: Any) -> str:
    message = copy.deepcopy(EXAMPLE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = message
        for key in parents:
            node = node[key]
        node[last] = value
    return json.dumps(message)


def without(path: tuple[str, ...]) -> str:
    message = copy.deepcopy(EXAMPLE)
    node = message
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return json.dumps(message)


def test_the_documented_example_names_the_seller_the_order_and_the_notification() -> None:
    # When
    notice = parse(json.dumps(EXAMPLE))
    # Then
    assert notice.channel == "amazon"
    assert notice.account == "A3TH9S8BH6GOGM"
    assert notice.push_key == "amazon#a3th9s8bh6gogm"
    assert notice.order_id == "903-8868176-2219830"
    assert notice.event_id == "d0e9e693-c3ad-4373-979f-ed4ec98dd746"
    assert notice.topic == "ORDER_CHANGE/BuyerRequestedChange (Buyer Requested Cancel)"
    assert notice.occurred_at == datetime(2022, 11, 29, 19, 42, 4, 284000, tzinfo=UTC)


def test_the_channel_spec_parses_with_the_same_function() -> None:
    assert SPEC.push is not None and SPEC.push.destination_kind == "sqs"
    assert SPEC.push.parse(json.dumps(EXAMPLE)).order_id == "903-8868176-2219830"


def test_without_a_time_of_change_the_publishing_time_stands_for_it() -> None:
    # "Will be null when there is no related timestamp"
    notice = parse(body(Payload__OrderChangeNotification__OrderChangeTrigger__TimeOfOrderChange=None))
    assert notice.occurred_at == datetime(2020, 1, 11, 0, 9, 53, 109000, tzinfo=UTC)


def test_unknown_extra_fields_are_ignored() -> None:
    message = copy.deepcopy(EXAMPLE)
    message["SomethingNew"] = {"x": 1}
    message["Payload"]["OrderChangeNotification"]["Summary"]["Unheard"] = [1, 2]
    assert parse(json.dumps(message)).order_id == "903-8868176-2219830"


@pytest.mark.parametrize("path", REQUIRED, ids=".".join)
def test_every_required_field_missing_is_malformed_and_named(path: tuple[str, ...]) -> None:
    # When
    with pytest.raises(InvalidNotice) as refused:
        parse(without(path))
    # Then
    assert refused.value.reason == MALFORMED
    assert path[-1] in str(refused.value)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Payload__OrderChangeNotification__AmazonOrderId", "903-8868176-221983"),
        ("Payload__OrderChangeNotification__AmazonOrderId", "../../orders/1"),
        ("Payload__OrderChangeNotification__SellerId", "a3th 9s8"),
        ("Payload__OrderChangeNotification__SellerId", 12345),
        ("Payload__OrderChangeNotification__NotificationLevel", "ShopLevel"),
        ("Payload__OrderChangeNotification__OrderChangeTrigger__TimeOfOrderChange", 1669750924),
        ("Payload__OrderChangeNotification__OrderChangeTrigger__TimeOfOrderChange", "yesterday"),
        ("Payload__OrderChangeNotification__OrderChangeTrigger__ChangeReason", None),
        ("Payload__OrderChangeNotification__Summary", []),
        ("NotificationMetadata__NotificationId", ""),
        ("NotificationMetadata", "d0e9e693"),
        ("EventTime", "2020-01-11T00:09:53"),  # no zone: never guessed
        ("PayloadVersion", "2.0"),
    ],
)
def test_wrong_types_and_shapes_are_malformed(field: str, value: Any) -> None:
    with pytest.raises(InvalidNotice) as refused:
        parse(body(**{field: value}))
    assert refused.value.reason == MALFORMED
    assert field.split("__")[-1] in str(refused.value)


@pytest.mark.parametrize("text", ["", "not json", "[1, 2]", "null", '"ORDER_CHANGE"', "{"])
def test_what_is_not_a_json_object_is_malformed(text: str) -> None:
    with pytest.raises(InvalidNotice) as refused:
        parse(text)
    assert refused.value.reason == MALFORMED


@pytest.mark.parametrize("kind", ["ANY_OFFER_CHANGED", "FEED_PROCESSING_FINISHED", "order_change"])
def test_other_notification_types_are_not_orders(kind: str) -> None:
    with pytest.raises(InvalidNotice) as refused:
        parse(body(NotificationType=kind))
    assert refused.value.reason == NOT_ORDERS


def test_a_camel_case_notification_is_not_orders() -> None:
    # Newer types (ACCOUNT_STATUS_CHANGED, …) write notificationType/payload in camelCase.
    text = json.dumps(
        {"notificationVersion": "1.0", "notificationType": "ACCOUNT_STATUS_CHANGED", "payload": {}}
    )
    with pytest.raises(InvalidNotice) as refused:
        parse(text)
    assert refused.value.reason == NOT_ORDERS


def test_the_account_is_the_seller_id_option() -> None:
    assert (
        account({"seller_id": " A3TH9S8BH6GOGM ", "marketplace_ids": ["ATVPDKIKX0DER"]}) == "A3TH9S8BH6GOGM"
    )
    with pytest.raises(ValueError, match="seller_id"):
        account({"marketplace_ids": ["ATVPDKIKX0DER"]})


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@given(path=st.sampled_from(REQUIRED), value=JSON)
def test_any_value_in_any_required_place_ends_in_a_notice_or_an_invalid_notice(
    path: tuple[str, ...], value: Any
) -> None:
    # Given the example with one required field replaced by anything
    message = copy.deepcopy(EXAMPLE)
    node = message
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    # When / Then: never a KeyError, TypeError or AttributeError out of the parser
    try:
        notice = parse(json.dumps(message))
    except InvalidNotice as exc:
        assert exc.reason in (MALFORMED, NOT_ORDERS)
    else:
        assert notice.order_id and notice.account and notice.event_id


@given(
    seller=st.from_regex(r"A[A-Z0-9]{12,13}", fullmatch=True),
    order=st.from_regex(r"\d{3}-\d{7}-\d{7}", fullmatch=True),
    notification=st.uuids(),
)
def test_ids_of_the_documented_forms_come_through_unchanged(
    seller: str, order: str, notification: Any
) -> None:
    notice = parse(
        body(
            Payload__OrderChangeNotification__SellerId=seller,
            Payload__OrderChangeNotification__AmazonOrderId=order,
            NotificationMetadata__NotificationId=str(notification),
        )
    )
    assert (notice.account, notice.order_id, notice.event_id) == (seller, order, str(notification))
