"""Shopify webhooks delivered through EventBridge, read as order notices: realistic events, every
missing or wrong field refused as malformed (naming it), other topics as not orders, header casing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from crossdock.channels.shopify.channel import SPEC
from crossdock.channels.shopify.notices import account, parse
from crossdock.orders.rules.notices import MALFORMED, NOT_ORDERS, InvalidNotice

SOURCE = "aws.partner/shopify.com/3410887/crossdock-prod"


def event(topic: str = "orders/create", **overrides: Any) -> dict[str, Any]:
    """An EventBridge event as Shopify delivers it (push-contracts §2.4) and SQS carries it."""
    payload: dict[str, Any] = {
        "id": 5200000000017,
        "admin_graphql_api_id": "gid://shopify/Order/5200000000017",
        "name": "#1017",
        "created_at": "2026-12-03T10:59:58-05:00",
        "updated_at": "2026-12-03T11:00:01-05:00",
        "financial_status": "paid",
        "line_items": [{"id": 13400000001701, "sku": "BT-EAR-01", "quantity": 1, "price": "129.0"}],
    }
    if topic == "refunds/create":
        payload = {"id": 9100000000017, "order_id": 5200000000017, "created_at": "2026-12-03T11:05:00-05:00"}
    metadata = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Shop-Domain": "Tea-House.myshopify.com",
        "X-Shopify-API-Version": "2025-10",
        "X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        "X-Shopify-Event-Id": "98880550-7158-44d4-b7cd-2c97c8a091b5",
        "X-Shopify-Triggered-At": "2026-12-03T16:00:01.877041743Z",
        "X-Shopify-Order-Id": "5200000000017",
    }
    body = {
        "version": "0",
        "id": "0b1f2ffa-1d9c-4c37-a8f6-4b6a8ff7e1c0",
        "detail-type": "shopifyWebhook",
        "source": SOURCE,
        "account": "123456789012",
        "time": "2026-12-03T16:00:02Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"payload": payload, "metadata": metadata},
    }
    for path, value in overrides.items():
        *parents, last = path.split(".")
        node = body
        for part in parents:
            node = node[part]
        if value is DELETE:
            node.pop(last, None)
        else:
            node[last] = value
    return body


DELETE = object()


def refused(body: dict[str, Any] | str) -> InvalidNotice:
    with pytest.raises(InvalidNotice) as caught:
        parse(body if isinstance(body, str) else json.dumps(body))
    return caught.value


def test_an_order_creation_names_the_shop_the_order_and_the_event() -> None:
    notice = parse(json.dumps(event()))

    assert notice.channel == "shopify"
    assert notice.account == "tea-house.myshopify.com"
    assert notice.push_key == "shopify#tea-house.myshopify.com"
    assert notice.order_id == "5200000000017"
    assert notice.topic == "orders/create"
    assert notice.event_id == "orders/create:98880550-7158-44d4-b7cd-2c97c8a091b5"
    assert notice.occurred_at == datetime(2026, 12, 3, 16, 0, 1, 877041, tzinfo=UTC)


@pytest.mark.parametrize("topic", ["orders/updated", "orders/cancelled"])
def test_order_updates_and_cancellations_name_the_order_by_its_id(topic: str) -> None:
    assert parse(json.dumps(event(topic))).order_id == "5200000000017"


def test_a_refund_names_its_order_by_order_id_not_its_own_id() -> None:
    notice = parse(json.dumps(event("refunds/create")))

    assert (notice.order_id, notice.topic) == ("5200000000017", "refunds/create")


def test_headers_are_found_whatever_their_casing() -> None:
    body = event()
    metadata = body["detail"]["metadata"]
    body["detail"]["metadata"] = {name.lower(): value for name, value in metadata.items()}
    body["detail"]["metadata"]["X-SHOPIFY-TOPIC"] = body["detail"]["metadata"].pop("x-shopify-topic")

    notice = parse(json.dumps(body))

    assert (notice.account, notice.topic) == ("tea-house.myshopify.com", "orders/create")


def test_without_an_event_id_the_webhook_id_is_the_key() -> None:
    notice = parse(json.dumps(event(**{"detail.metadata.X-Shopify-Event-Id": DELETE})))

    assert notice.event_id == "orders/create:b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"


def test_without_triggered_at_the_payload_time_is_when_it_happened() -> None:
    notice = parse(json.dumps(event(**{"detail.metadata.X-Shopify-Triggered-At": DELETE})))

    assert notice.occurred_at == datetime(2026, 12, 3, 16, 0, 1, tzinfo=UTC)


def test_without_the_order_id_header_the_payload_alone_names_the_order() -> None:
    notice = parse(json.dumps(event(**{"detail.metadata.X-Shopify-Order-Id": DELETE})))

    assert notice.order_id == "5200000000017"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"detail-type": DELETE}, "detail-type"),
        ({"source": "aws.partner/evil.example/1/x"}, "source"),
        ({"source": DELETE}, "source"),
        ({"detail": "payload"}, "detail"),
        ({"detail.metadata": DELETE}, "detail.metadata"),
        ({"detail.payload": DELETE}, "detail.payload"),
        ({"detail.payload": ["not", "an", "object"]}, "detail.payload"),
        ({"detail.metadata.X-Shopify-Topic": DELETE}, "X-Shopify-Topic"),
        ({"detail.metadata.X-Shopify-Topic": 7}, "X-Shopify-Topic"),
        ({"detail.metadata.X-Shopify-Shop-Domain": DELETE}, "X-Shopify-Shop-Domain"),
        ({"detail.metadata.X-Shopify-Shop-Domain": "tea-house.example.com"}, "X-Shopify-Shop-Domain"),
        ({"detail.metadata.X-Shopify-Event-Id": "../../etc"}, "X-Shopify-Event-Id"),
        ({"detail.metadata.X-Shopify-Order-Id": "5200000000099"}, "X-Shopify-Order-Id"),
        ({"detail.metadata.X-Shopify-Triggered-At": "yesterday"}, "X-Shopify-Triggered-At"),
        ({"detail.payload.id": DELETE}, "payload `id`"),
        ({"detail.payload.id": "gid://shopify/Order/5200000000017"}, "payload `id`"),
        ({"detail.payload.id": True}, "payload `id`"),
        ({"detail.payload.id": 0}, "payload `id`"),
        ({"detail.payload.id": {"n": 1}}, "payload `id`"),
    ],
)
def test_a_missing_or_wrong_field_is_malformed_and_named(overrides: dict[str, Any], named: str) -> None:
    error = refused(event(**overrides))

    assert error.reason == MALFORMED
    assert named in str(error)


def test_both_ids_missing_is_malformed() -> None:
    body = event(**{"detail.metadata.X-Shopify-Event-Id": DELETE, "detail.metadata.X-Shopify-Webhook-Id": ""})

    error = refused(body)

    assert error.reason == MALFORMED and "X-Shopify-Webhook-Id" in str(error)


def test_a_refund_without_its_order_id_is_malformed() -> None:
    error = refused(event("refunds/create", **{"detail.payload.order_id": DELETE}))

    assert error.reason == MALFORMED and "order_id" in str(error)


def test_a_payload_time_that_is_not_a_time_is_malformed_when_it_is_needed() -> None:
    body = event(
        **{"detail.metadata.X-Shopify-Triggered-At": DELETE, "detail.payload.updated_at": 1733241601}
    )

    assert refused(body).reason == MALFORMED


@pytest.mark.parametrize("body", ["", "not json", "[]", "null", '"text"'])
def test_a_body_that_is_not_an_event_is_malformed(body: str) -> None:
    assert refused(body).reason == MALFORMED


@pytest.mark.parametrize(
    "topic", ["products/update", "orders/paid", "app/uninstalled", "bulk_operations/finish"]
)
def test_other_topics_are_not_orders(topic: str) -> None:
    assert refused(event(topic)).reason == NOT_ORDERS


def test_another_detail_type_is_not_a_webhook() -> None:
    assert refused(event(**{"detail-type": "Scheduled Event"})).reason == NOT_ORDERS


def test_the_shops_account_is_its_domain_lowered_and_a_missing_domain_is_named() -> None:
    assert account({"shop_domain": " Tea-House.myshopify.com "}) == "tea-house.myshopify.com"
    with pytest.raises(ValueError, match="shop_domain"):
        account({})
    with pytest.raises(ValueError, match="shop_domain"):
        account({"shop_domain": "tea-house.example.com"})


def test_the_channel_declares_its_notices_through_eventbridge() -> None:
    assert SPEC.push is not None
    assert SPEC.push.destination_kind == "eventbridge"
    assert SPEC.push.parse is parse


def test_the_order_by_id_query_selects_what_a_page_of_the_pull_selects() -> None:
    from crossdock.channels.shopify.order_reads import order_query
    from crossdock.channels.shopify.query import orders_query

    by_id, cost = order_query(5)
    page, _, _ = orders_query(5)

    node_fields = page.split("nodes { ", 1)[1].rsplit(" } } }", 1)[0]
    assert "order(id: $id) { " + node_fields in by_id
    assert cost < 1000
