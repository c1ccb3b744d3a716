"""An `alibaba.product.get` result read as a SupplierOffer: stock, price and update time, table-driven."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from crossdock.core.errors import InvalidResponseError
from crossdock.platforms.alibaba1688.platform import number, offer_from, units, update_time
from crossdock.suppliers.rules.offers import OfferRef

SKUS = [
    {
        "skuId": 4213418520411,
        "specId": "b266e0726506185beaf205cbae88530d",
        "price": 47.98,
        "amountOnSale": 30,
    },
    {"skuId": 4213418520412, "specId": "c377f1837617296cfb0316dcbf99641e", "amountOnSale": 7},
    {"skuId": 4213418520413, "specId": "d488", "price": 0, "amountOnSale": 0},
]
SALE = {
    "amountOnSale": 1200.9,
    "unit": "件",
    "priceRanges": [{"startQuantity": 2, "price": 49.5}, {"startQuantity": 50, "price": 45.1}],
}


def result(**info: Any) -> dict[str, Any]:
    product = {"productID": 559027887882, "status": "published", "saleInfo": SALE, "skuInfos": SKUS, **info}
    return {"productInfo": product, "lastUpdateTime": "20250101120000000+0800"}


def read(sku_id: str | None, body: dict[str, Any] | None = None) -> tuple[int | None, Decimal | None]:
    offer = offer_from(OfferRef("acme", "559027887882", sku_id), body or result())
    return offer.stock, offer.price


@pytest.mark.parametrize(
    ("sku_id", "stock", "price"),
    [
        (None, 1200, Decimal("45.1")),  # the offer: saleInfo floored, lowest range price
        ("4213418520411", 30, Decimal("47.98")),  # by skuId
        (" b266e0726506185beaf205cbae88530d ", 30, Decimal("47.98")),  # by specId, spaces ignored
        ("4213418520412", 7, Decimal("45.1")),  # a SKU without a price: the lowest range
        ("d488", 0, Decimal("45.1")),  # a SKU priced 0: the lowest range; its 0 stock is real
        ("9999", None, None),  # a mapped SKU the offer no longer lists: nothing to buy against
    ],
    ids=["offer", "sku-id", "spec-id", "sku-without-price", "sku-priced-zero", "sku-gone"],
)
def test_stock_and_price_come_from_the_mapped_sku_else_the_offer(
    sku_id: str | None, stock: int | None, price: Decimal | None
) -> None:
    # When / Then
    assert read(sku_id) == (stock, price)


@pytest.mark.parametrize(
    ("sale", "stock", "price"),
    [
        ({}, None, None),
        ({"amountOnSale": "15.0", "priceRanges": [{"price": "3.10"}]}, 15, Decimal("3.10")),
        ({"amountOnSale": 0.99, "priceRanges": [{"price": None}, {"price": 0.1}]}, 0, Decimal("0.1")),
        ({"amountOnSale": True, "priceRanges": "n/a"}, None, None),
        ({"amountOnSale": "NaN", "priceRanges": [{"price": "abc"}]}, None, None),
    ],
    ids=["no-sale-info", "numeric-text", "fraction-floored", "wrong-types", "not-numbers"],
)
def test_offer_level_figures_are_read_defensively(
    sale: dict[str, Any], stock: int | None, price: Any
) -> None:
    # Given
    body = result(saleInfo=sale, skuInfos=[])

    # When / Then
    assert read(None, body) == (stock, price)


def test_prices_are_decimals_of_the_numbers_text_never_float_math() -> None:
    # When / Then
    assert number(0.1) == Decimal("0.1") and number(47.98) == Decimal("47.98")
    assert units(1200.0) == 1200 and units(-0.5) == -1 and units(None) is None


@pytest.mark.parametrize(
    ("body", "raw"),
    [
        (
            {"productInfo": {"status": "x"}, "lastUpdateTime": "20250101120000000+0800"},
            "20250101120000000+0800",
        ),
        ({"productInfo": {"status": "x", "lastUpdateTime": "2025-01-01 12:00:00"}}, "2025-01-01 12:00:00"),
        ({"productInfo": {"status": "x"}, "lastUpdateTime": 1735704000000}, 1735704000000),
        ({"productInfo": {"status": "x"}, "lastUpdateTime": 1735704000000.0}, 1735704000000),
        ({"productInfo": {"status": "x"}}, None),
        ({"productInfo": {"status": "x"}, "lastUpdateTime": ""}, None),
        ({"productInfo": {"status": "x", "lastUpdateTime": "  "}}, None),
        ({"productInfo": {"status": "x"}, "lastUpdateTime": None}, None),
        ({"productInfo": {"status": "x", "lastUpdateTime": "in"}, "lastUpdateTime": "beside"}, "beside"),
        ({"productInfo": {"status": "x"}, "lastUpdateTime": {"time": 1}}, "{'time': 1}"),
        ({"result": {"productInfo": {"status": "x"}, "lastUpdateTime": "wrapped"}}, "wrapped"),
    ],
    ids=[
        "beside-1688-style",
        "inside-plain",
        "epoch-ms",
        "epoch-ms-as-double",
        "absent",
        "empty",
        "blank-inside",
        "null",
        "beside-wins",
        "unknown-shape-kept-as-text",
        "result-wrapper",
    ],
)
def test_the_update_time_is_passed_on_as_given_from_beside_or_inside_the_product(
    body: dict[str, Any], raw: str | int | None
) -> None:
    # When
    offer = offer_from(OfferRef("acme", "1"), body)

    # Then
    assert offer.updated_raw == raw
    assert offer.status == "x" and offer.raw == body


def test_update_time_ignores_a_boolean() -> None:
    # When / Then
    assert update_time({"lastUpdateTime": True}, {}) is None


@pytest.mark.parametrize(
    "body",
    [{}, {"productInfo": None}, {"productInfo": {}}, {"productInfo": []}],
    ids=["empty", "null", "blank", "list"],
)
def test_a_result_without_product_info_is_a_silent_failure(body: dict[str, Any]) -> None:
    # When / Then
    with pytest.raises(InvalidResponseError, match="no productInfo"):
        offer_from(OfferRef("acme", "1"), body)
