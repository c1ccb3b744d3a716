"""A buyer erased at the platform's request: what is personal in an order (per field), the erasure
of the stored orders (conditional on the version read), the record, and a later version of an
erased order stored erased too."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from crossdock.core.inbound import run_always
from crossdock.orders.rules.notices import FORGED, MALFORMED, InvalidNotice
from crossdock.orders.rules.order import Money, Order, OrderLine, OrderStatus
from crossdock.orders.rules.privacy import (
    REDACTED,
    ErasureRequest,
    buyer_ref,
    redact_raw,
    username_digest,
)
from crossdock.orders.storage.orders import OrderRepository
from crossdock.orders.storage.privacy import PrivacyRecordModel, PrivacyRecords
from crossdock.orders.storage.tables import OrderModel
from crossdock.orders.usecases.erase import AccountDeletions

from tests.support.aws import moto_resources

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def ebay_raw(order_id: str, username: str, name: str) -> dict[str, Any]:
    """An eBay Sell Fulfillment order with every part the model has that names a person."""
    return {
        "orderId": order_id,
        "sellerId": "seller-1",
        "buyer": {
            "username": username,
            "taxAddress": {"city": "Lyon", "postalCode": "69001", "countryCode": "FR"},
            "taxIdentifier": {"taxpayerId": "FR123", "taxIdentifierType": "VATIN"},
            "buyerRegistrationAddress": {"fullName": name, "email": "jane@example.com"},
        },
        "buyerCheckoutNotes": "leave at the door",
        "fulfillmentStartInstructions": [
            {
                "fulfillmentInstructionsType": "SHIP_TO",
                "shippingStep": {
                    "shippingCarrierCode": "USPS",
                    "shipTo": {
                        "fullName": name,
                        "primaryPhone": {"phoneNumber": "+33 6 12 34 56 78"},
                        "contactAddress": {"addressLine1": "1 rue X", "countryCode": "FR"},
                    },
                },
                "finalDestinationAddress": {"addressLine1": "1 rue X", "city": "Lyon"},
            }
        ],
        "lineItems": [
            {"lineItemId": "1", "sku": "SKU-1", "quantity": 1},
            {
                "lineItemId": "2",
                "sku": "SKU-2",
                "quantity": 1,
                "giftDetails": {"senderName": name, "recipientEmail": "r@example.com", "message": "hi"},
            },
        ],
        "pricingSummary": {"total": {"value": "10.00", "currency": "EUR"}},
    }


def ebay_order(order_id: str, username: str, name: str, modified: datetime = T0) -> Order:
    return Order(
        channel="ebay",
        shop_id="ebay-de-1",
        order_id=order_id,
        status=OrderStatus.PAID,
        raw_status="PAID/NOT_STARTED",
        created_at=T0 - timedelta(hours=1),
        modified_at=modified,
        total=Money.of("10.00", "EUR"),
        lines=(OrderLine("1", "SKU-1", 1),),
        buyer_name=name,
        buyer_note="leave at the door",
        buyer_id=username,
        raw=ebay_raw(order_id, username, name),
    )


# -- what is personal (pure) ---------------------------------------------------------------------------
def test_every_personal_part_of_an_ebay_order_is_redacted_and_nothing_else() -> None:
    # Given
    raw = ebay_raw("12-34567-89012", "jane_doe", "Jane Doe")
    before = copy.deepcopy(raw)

    # When
    redacted = redact_raw("ebay", raw)

    # Then
    assert raw == before, "the input must not change"
    assert redacted["buyer"] == REDACTED
    assert redacted["buyerCheckoutNotes"] == REDACTED
    [instruction] = redacted["fulfillmentStartInstructions"]
    assert instruction["shippingStep"]["shipTo"] == REDACTED
    assert instruction["shippingStep"]["shippingCarrierCode"] == "USPS"
    assert instruction["finalDestinationAddress"] == REDACTED
    assert "giftDetails" not in redacted["lineItems"][0]
    assert redacted["lineItems"][1]["giftDetails"] == REDACTED
    assert redacted["lineItems"][1]["sku"] == "SKU-2"
    for kept in ("orderId", "sellerId", "pricingSummary"):
        assert redacted[kept] == raw[kept]
    text = repr(redacted)
    for personal in ("jane", "Jane", "Lyon", "rue X", "+33", "FR123", "door", "example.com"):
        assert personal not in text


def test_absent_parts_stay_absent() -> None:
    redacted = redact_raw("ebay", {"orderId": "1", "lineItems": [{"sku": "A"}]})
    assert redacted == {"orderId": "1", "lineItems": [{"sku": "A"}]}


def test_a_channel_without_rules_keeps_nothing_of_its_raw_payload() -> None:
    assert redact_raw("walmart", {"customer": {"name": "Jane"}}) == {"erased": REDACTED}


def test_a_request_finds_the_buyer_by_user_name_and_by_user_id_case_insensitively() -> None:
    request = ErasureRequest("ebay", "n-1", user_id="ma8vp1jySJC", username="Jane_Doe")
    assert request.buyer_refs() == ("ebay#jane_doe", "ebay#ma8vp1jysjc")
    assert buyer_ref("ebay", " Jane_Doe ") == "ebay#jane_doe"


# -- the stored orders ---------------------------------------------------------------------------------
class FakeNotices:
    def __init__(self, request: ErasureRequest | None = None, error: InvalidNotice | None = None) -> None:
        self.request, self.error = request, error

    def challenge(self, code: str, arrived_at: str) -> str:
        return f"{code}@{arrived_at}"

    def read(self, headers: Mapping[str, str], body: bytes) -> ErasureRequest | None:
        if self.error is not None:
            raise self.error
        return self.request


@pytest.fixture
def env() -> Iterator[None]:
    with moto_resources():
        yield


def deletions(notices: FakeNotices, now: datetime = T0 + timedelta(days=1)) -> AccountDeletions:
    return AccountDeletions("ebay", notices, OrderRepository(), PrivacyRecords(), run_always, lambda: now)


def stored(order_id: str) -> OrderModel:
    return OrderModel.get("ebay#ebay-de-1", order_id, consistent_read=True)


JANE = ErasureRequest(
    "ebay", "note-1", user_id="ma8vp1jySJC", username="jane_doe", event_date=T0 + timedelta(hours=20)
)


def test_the_buyers_orders_are_erased_others_untouched_and_one_record_proves_it(env: None) -> None:
    # Given: two orders of Jane (one under her user id, as eBay's newer APIs name buyers), one of Max
    repo = OrderRepository()
    repo.store_page(
        [
            ebay_order("A", "jane_doe", "Jane Doe"),
            ebay_order("B", "MA8VP1JYSJC", "Jane Doe"),
            ebay_order("C", "max_mustermann", "Max Mustermann"),
        ],
        now=T0,
    )

    # When
    outcome = deletions(FakeNotices(JANE)).take({}, b"{}")

    # Then
    assert outcome == {"outcome": "erased", "request_id": "note-1", "orders_erased": 2}
    for order_id in ("A", "B"):
        item = stored(order_id)
        assert (item.buyer_name, item.buyer_note, item.buyer_ref) == ("", "", None)
        assert item.raw["buyer"] == REDACTED and item.raw["orderId"] == order_id
        assert item.erased_at == T0 + timedelta(days=1)
        assert all(e["buyer_note"] == "" for e in item.pending_events)
        assert item.lines and item.status == "paid", "what names no one stays"
    other = stored("C")
    assert other.buyer_name == "Max Mustermann" and other.buyer_ref == "ebay#max_mustermann"
    assert other.erased_at is None and other.raw["buyer"]["username"] == "max_mustermann"
    record = PrivacyRecordModel.get("ebay#note-1")
    assert record.user_id == "ma8vp1jySJC"
    assert record.username_sha256 == username_digest("jane_doe") != "jane_doe"
    assert record.orders_erased == 2
    assert sorted(record.orders) == ["ebay#ebay-de-1/A", "ebay#ebay-de-1/B"]
    assert record.event_date == T0 + timedelta(hours=20)
    assert "jane" not in repr(record.attribute_values).lower()


def test_a_later_version_of_an_erased_order_is_stored_erased(env: None) -> None:
    # Given: Jane's order erased
    repo = OrderRepository()
    repo.store_page([ebay_order("A", "jane_doe", "Jane Doe")], now=T0)
    deletions(FakeNotices(JANE)).take({}, b"{}")

    # When: a pull brings a newer version, with her name again (shipped now)
    newer = ebay_order("A", "jane_doe", "Jane Doe", modified=T0 + timedelta(days=2))
    newer = Order(**{**newer.__dict__, "status": OrderStatus.SHIPPED, "raw_status": "PAID/FULFILLED"})
    [result] = repo.store_page([newer], now=T0 + timedelta(days=2))

    # Then
    item = stored("A")
    assert result.outcome == "updated" and item.status == "shipped"
    assert (item.buyer_name, item.buyer_note, item.buyer_ref) == ("", "", None)
    assert item.raw["buyer"] == REDACTED
    assert item.erased_at == T0 + timedelta(days=1)
    assert item.pending_events and all(e["buyer_note"] == "" for e in item.pending_events)


def test_an_erasure_racing_a_pull_erases_the_version_the_pull_wrote(
    env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given: a pull stores a newer version right after the erasure read the order
    repo = OrderRepository()
    repo.store_page([ebay_order("A", "jane_doe", "Jane Doe")], now=T0)
    real_get = OrderModel.get
    reads: list[int] = []

    def get_then_pull(*args: Any, **kwargs: Any) -> OrderModel:
        item = real_get(*args, **kwargs)
        reads.append(int(item.revisions))
        if len(reads) == 1:
            newer = ebay_order("A", "jane_doe", "Jane Q. Doe", modified=T0 + timedelta(minutes=5))
            repo.store_page([newer], now=T0)
        return item

    monkeypatch.setattr(OrderModel, "get", get_then_pull)

    # When
    erased = repo.erase("ebay#ebay-de-1", "A", T0 + timedelta(days=1))

    # Then
    monkeypatch.setattr(OrderModel, "get", real_get)
    item = stored("A")
    assert erased and reads == [1, 2], "the conditional write failed once, then erased the newer version"
    assert item.modified_at == T0 + timedelta(minutes=5)
    assert item.buyer_name == "" and item.raw["buyer"] == REDACTED and item.erased_at is not None


@pytest.mark.parametrize("reason", [FORGED, MALFORMED])
def test_a_refused_delivery_writes_nothing(env: None, reason: str) -> None:
    # Given
    repo = OrderRepository()
    repo.store_page([ebay_order("A", "jane_doe", "Jane Doe")], now=T0)

    # When
    outcome = deletions(FakeNotices(error=InvalidNotice("bad", reason=reason))).take({}, b"{}")

    # Then
    assert outcome["outcome"] == "refused" and outcome["reason"] == reason
    assert stored("A").buyer_name == "Jane Doe" and stored("A").erased_at is None
    assert list(PrivacyRecordModel.scan()) == []


def test_another_topic_is_ignored(env: None) -> None:
    outcome = deletions(FakeNotices(None)).take({}, b"{}")
    assert outcome["outcome"] == "ignored"
    assert list(PrivacyRecordModel.scan()) == []


def test_a_deletion_for_a_buyer_without_orders_is_still_recorded(env: None) -> None:
    outcome = deletions(FakeNotices(JANE)).take({}, b"{}")
    assert outcome["orders_erased"] == 0
    assert PrivacyRecordModel.get("ebay#note-1").orders_erased == 0


def test_the_endpoint_check_is_the_adapters() -> None:
    assert deletions(FakeNotices()).challenge("c0de", "https://x/") == "c0de@https://x/"
