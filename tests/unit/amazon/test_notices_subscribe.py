"""Subscribing to ORDER_CHANGE and reading a notified order, against recorded SP-API answers
(`responses`, no sockets): which token each call carries, reuse on 409, deletion, getOrder's 404."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import pytest
import responses
from crossdock.channels.amazon.order_by_id import read_order
from crossdock.channels.amazon.subscriptions import subscribe, unsubscribe
from crossdock.channels.spec import Destination
from crossdock.core.errors import RequestRejectedError, RetriesExhaustedError
from crossdock.orders.rules.order import OrderStatus

from tests.support.amazon_sp import API, CREDENTIALS, shop_context, sp_error
from tests.support.amazon_sp import TOKEN_URL as LWA

ARN = "arn:aws:sqs:us-east-1:111122223333:crossdock-AmazonNoticesQueue"
SELLER_TOKEN, APP_TOKEN = "Atza|seller", "Atc|application"
DESTINATIONS = f"{API}/notifications/v1/destinations"
SUBSCRIPTIONS = f"{API}/notifications/v1/subscriptions/ORDER_CHANGE"


def lwa(request: Any) -> tuple[int, dict[str, str], str]:
    """LWA: a client_credentials grant with the notifications scope → the application's token."""
    form = {k: v[0] for k, v in parse_qs(request.body).items()}
    assert (form["client_id"], form["client_secret"]) == (
        CREDENTIALS["client_id"],
        CREDENTIALS["client_secret"],
    )
    if form["grant_type"] == "client_credentials":
        assert form["scope"] == "sellingpartnerapi::notifications" and "refresh_token" not in form
        token = APP_TOKEN
    else:
        assert form["grant_type"] == "refresh_token" and "scope" not in form
        token = SELLER_TOKEN
    return 200, {}, json.dumps({"access_token": token, "token_type": "bearer", "expires_in": 3600})


def tokens(mock: responses.RequestsMock) -> list[tuple[str, str]]:
    """(method + path, token) of every SP-API call made."""
    return [
        (f"{c.request.method} {c.request.path_url.split('?')[0]}", c.request.headers["x-amz-access-token"])
        for c in mock.calls
        if c.request.url.startswith(API)
    ]


def destination(destination_id: str = "dest-1", arn: str = ARN) -> dict[str, Any]:
    return {"destinationId": destination_id, "name": "crossdock", "resource": {"sqs": {"arn": arn}}}


def subscription(destination_id: str = "dest-1") -> dict[str, Any]:
    return {"payload": {"subscriptionId": "sub-1", "payloadVersion": "1.0", "destinationId": destination_id}}


@responses.activate
def test_an_existing_destination_is_reused_and_the_seller_subscribes_with_its_own_token() -> None:
    # Given the application already holds a destination for the queue
    responses.add_callback(responses.POST, LWA, callback=lwa)
    responses.add(
        responses.GET, DESTINATIONS, json={"payload": [destination("other", ARN + "-x"), destination()]}
    )
    responses.add(responses.POST, SUBSCRIPTIONS, json=subscription())
    # When
    record = subscribe(shop_context(), Destination("sqs", ARN))
    # Then
    assert record == {
        "destination_id": "dest-1",
        "subscription_id": "sub-1",
        "notification_type": "ORDER_CHANGE",
        "payload_version": "1.0",
        "destination_arn": ARN,
    }
    assert tokens(responses.mock) == [
        ("GET /notifications/v1/destinations", APP_TOKEN),
        ("POST /notifications/v1/subscriptions/ORDER_CHANGE", SELLER_TOKEN),
    ]
    sent = json.loads(responses.calls[-1].request.body)
    assert sent == {
        "payloadVersion": "1.0",
        "destinationId": "dest-1",
        "processingDirective": {
            "eventFilter": {"eventFilterType": "ORDER_CHANGE", "orderChangeTypes": ["OrderStatusChange"]}
        },
    }


@responses.activate
def test_a_destination_created_meanwhile_is_read_again_after_409() -> None:
    # Given no destination at first, then createDestination's 409 Conflict
    responses.add_callback(responses.POST, LWA, callback=lwa)
    responses.add(responses.GET, DESTINATIONS, json={"payload": []})
    conflict = sp_error("Conflict", "The requested resource conflict with a resource in the server.")
    responses.add(responses.POST, DESTINATIONS, json=conflict, status=409)
    responses.add(responses.GET, DESTINATIONS, json={"payload": [destination("dest-9")]})
    responses.add(responses.POST, SUBSCRIPTIONS, json=subscription("dest-9"))
    # When
    record = subscribe(shop_context(), Destination("sqs", ARN))
    # Then
    assert record["destination_id"] == "dest-9"
    created = json.loads(responses.calls[2].request.body)
    assert created["resourceSpecification"] == {"sqs": {"arn": ARN}} and created["name"]


@responses.activate
def test_an_existing_subscription_is_read_after_409_state_conflict() -> None:
    # Given
    responses.add_callback(responses.POST, LWA, callback=lwa)
    responses.add(responses.GET, DESTINATIONS, json={"payload": [destination()]})
    conflict = sp_error("StateConflict", "Subscription already exist for notification type ORDER_CHANGE")
    responses.add(responses.POST, SUBSCRIPTIONS, json=conflict, status=409)
    responses.add(responses.GET, SUBSCRIPTIONS, json=subscription())
    # When
    record = subscribe(shop_context(), Destination("sqs", ARN))
    # Then
    assert record["subscription_id"] == "sub-1"
    assert tokens(responses.mock)[-1] == ("GET /notifications/v1/subscriptions/ORDER_CHANGE", SELLER_TOKEN)
    assert responses.calls[-1].request.params == {"payloadVersion": "1.0"}


@responses.activate
def test_a_subscription_to_another_destination_is_not_taken_for_ours() -> None:
    responses.add_callback(responses.POST, LWA, callback=lwa)
    responses.add(responses.GET, DESTINATIONS, json={"payload": [destination()]})
    responses.add(responses.POST, SUBSCRIPTIONS, json=sp_error("StateConflict", "exists"), status=409)
    responses.add(responses.GET, SUBSCRIPTIONS, json=subscription("dest-of-another-stack"))
    with pytest.raises(RequestRejectedError, match="dest-of-another-stack"):
        subscribe(shop_context(), Destination("sqs", ARN))


def test_order_change_goes_to_sqs_only() -> None:
    with pytest.raises(RequestRejectedError, match="SQS"):
        subscribe(shop_context(), Destination("eventbridge", "arn:aws:events:us-east-1::event-source/x"))


@responses.activate
def test_unsubscribing_deletes_the_subscription_by_id_with_the_application_token() -> None:
    # Given
    responses.add_callback(responses.POST, LWA, callback=lwa)
    responses.add(responses.DELETE, f"{SUBSCRIPTIONS}/sub-1", json={})
    # When
    unsubscribe(shop_context(), {"subscription_id": "sub-1", "notification_type": "ORDER_CHANGE"})
    # Then: the destination is left alone
    assert tokens(responses.mock) == [
        ("DELETE /notifications/v1/subscriptions/ORDER_CHANGE/sub-1", APP_TOKEN)
    ]


@responses.activate
def test_unsubscribing_a_subscription_already_gone_is_done() -> None:
    responses.add_callback(responses.POST, LWA, callback=lwa)
    responses.add(responses.DELETE, f"{SUBSCRIPTIONS}/sub-1", json=sp_error("NotFound", "gone"), status=404)
    unsubscribe(shop_context(), {"subscription_id": "sub-1"})


@responses.activate
def test_a_failing_deletion_is_reported() -> None:
    responses.add_callback(responses.POST, LWA, callback=lwa)
    responses.add(
        responses.DELETE, f"{SUBSCRIPTIONS}/sub-1", json=sp_error("InternalFailure", "x"), status=500
    )
    with pytest.raises(RetriesExhaustedError):
        unsubscribe(shop_context(), {"subscription_id": "sub-1"})


ORDER = {
    "orderId": "114-0000000-0000042",
    "createdTime": "2026-01-02T03:04:05Z",
    "lastUpdatedTime": "2026-01-02T04:00:00Z",
    "fulfillment": {"fulfillmentStatus": "UNSHIPPED"},
    "proceeds": {"grandTotal": {"amount": "19.90", "currencyCode": "USD"}},
    "orderItems": [
        {"orderItemId": "1", "quantityOrdered": 2, "product": {"sellerSku": "SKU-1", "title": "Case"}}
    ],
}


@responses.activate
def test_a_notified_order_is_read_by_id_with_the_pulls_datasets_and_normalizer() -> None:
    # Given
    responses.add_callback(responses.POST, LWA, callback=lwa)
    responses.add(responses.GET, f"{API}/orders/2026-01-01/orders/114-0000000-0000042", json={"order": ORDER})
    # When
    order = read_order(shop_context(), "114-0000000-0000042")
    # Then
    assert order is not None and order.status is OrderStatus.PAID and order.shop_id == "s1"
    assert [(line.sku, line.quantity) for line in order.lines] == [("SKU-1", 2)]
    assert responses.calls[-1].request.params == {"includedData": "BUYER,PROCEEDS,FULFILLMENT,PACKAGES"}
    assert tokens(responses.mock) == [("GET /orders/2026-01-01/orders/114-0000000-0000042", SELLER_TOKEN)]


@responses.activate
def test_an_order_amazon_does_not_have_is_none_and_a_bodyless_200_is_a_fault() -> None:
    responses.add_callback(responses.POST, LWA, callback=lwa)
    url = f"{API}/orders/2026-01-01/orders/114-0000000-0000043"
    responses.add(
        responses.GET, url, json=sp_error("NotFound", "The resource specified does not exist."), status=404
    )
    assert read_order(shop_context(), "114-0000000-0000043") is None
    responses.replace(responses.GET, url, json={"payload": {}})
    with pytest.raises(RetriesExhaustedError, match="without an order"):
        read_order(shop_context(), "114-0000000-0000043")
