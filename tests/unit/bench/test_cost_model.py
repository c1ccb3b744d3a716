"""The cost bench's billing arithmetic, checked against hand-computed cases (pure: no AWS, no sockets)."""

from __future__ import annotations

import pytest
from crossdock.core.specs import TableSpec

from bench.costs.meter import Meter, emf_metrics
from bench.costs.prices import Prices
from bench.costs.units import (
    Usage,
    billed_ms,
    chunks,
    cost,
    gb_seconds,
    goal_line,
    item_size,
    merged,
    number_size,
    per_unit,
    read_units,
    value_size,
    write_units,
)

PRICES = Prices()


# -- DynamoDB sizes -----------------------------------------------------------------------------------
def test_a_string_attribute_is_its_name_plus_its_utf8_bytes() -> None:
    # "sku" (3) + "ABC-1" (5); "名前" is 6 bytes in UTF-8, "深圳" too
    assert item_size({"sku": {"S": "ABC-1"}}) == 8
    assert item_size({"名前": {"S": "深圳"}}) == 12


def test_a_number_is_one_byte_per_two_significant_digits_plus_one() -> None:
    assert number_size("7") == 2  # 1 digit → 1 + 1
    assert number_size("12345") == 4  # 5 digits → 3 + 1
    assert number_size("1200.00") == 2  # significant "12" → 1 + 1
    assert number_size("0") == 2


def test_lists_and_maps_cost_three_bytes_plus_one_per_element() -> None:
    assert value_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (2 + 1) + (2 + 1)
    assert value_size({"M": {"k": {"BOOL": True}}}) == 3 + (1 + 1 + 1)
    assert value_size({"NULL": True}) == 1


# -- request units ------------------------------------------------------------------------------------
def test_write_units_round_up_per_kilobyte_and_double_in_a_transaction() -> None:
    assert write_units(0) == 1
    assert write_units(1024) == 1
    assert write_units(1025) == 2
    assert write_units(1025, transactional=True) == 4


def test_read_units_round_up_per_4_kb_half_when_eventually_consistent() -> None:
    assert read_units(100, consistent=True) == 1.0
    assert read_units(100, consistent=False) == 0.5
    assert read_units(4097, consistent=False) == 1.0
    assert read_units(4097, consistent=True, transactional=True) == 4.0


def test_a_query_is_charged_by_the_total_size_it_read_rounded_once() -> None:
    # Given three 1,500-byte items read by one eventually consistent query: 4,500 B → 2 units × ½
    meter = Meter()
    item = {"pk": {"S": "x" * 1498}}  # 2 + 1,498
    response = {"Items": [item, item, item], "Count": 3, "ScannedCount": 3}

    # Then
    assert meter._units("Query", {"TableName": "t"}, response) == (0.0, 1.0)


def test_a_put_on_a_table_with_an_index_also_writes_the_index_entry() -> None:
    # Given a table whose "dirty" index is keyed on dirty_version
    spec = TableSpec("ListingsTable", "X", hash_key="sku", indexes=(("dirty", "dirty_version", None),))
    meter = Meter({"listings": spec})
    marked = {"sku": {"S": "A"}, "dirty_version": {"N": "3"}}
    clean = {"sku": {"S": "A"}}

    # Then: 1 WRU for the item, 1 for the index entry it adds; a put that clears the key removes it
    assert meter._units("PutItem", {"TableName": "listings", "Item": marked}, {}) == (2.0, 0.0)
    assert meter._units("PutItem", {"TableName": "listings", "Item": clean}, {"Attributes": marked}) == (
        2.0,
        0.0,
    )
    assert meter._units("PutItem", {"TableName": "listings", "Item": clean}, {}) == (1.0, 0.0)


def test_batch_get_charges_a_missing_key_one_unit_and_skips_unprocessed_ones() -> None:
    params = {"RequestItems": {"t": {"Keys": [{}, {}, {}, {}], "ConsistentRead": True}}}
    response = {"Responses": {"t": [{"pk": {"S": "a"}}]}, "UnprocessedKeys": {"t": {"Keys": [{}]}}}

    # one found (1) + two missing (1 each); the unprocessed one is asked (and counted) again
    assert Meter()._units("BatchGetItem", params, response) == (0.0, 3.0)


# -- SQS, SNS, Lambda ---------------------------------------------------------------------------------
def test_every_started_64_kb_chunk_is_a_request() -> None:
    assert chunks(0, 64 * 1024) == 1
    assert chunks(64 * 1024, 64 * 1024) == 1
    assert chunks(256 * 1024, 64 * 1024) == 4
    assert chunks(64 * 1024 + 1, 64 * 1024) == 2


def test_lambda_bills_whole_milliseconds_times_memory() -> None:
    assert billed_ms(0.1234561) == 124
    assert billed_ms(0.2) == 200
    assert gb_seconds(1500, 1024) == 1.5
    usage = Usage()
    usage.record_invocation("orders-worker", 0.2, 512)
    assert usage.gb_seconds == 0.1 and usage.billed_ms["orders-worker"] == 200


def test_the_cost_of_a_usage_by_service() -> None:
    # Given: 1,000,000 invocations of 100 ms at 1,024 MB (100,000 GB-s), 2 M WRU, 4 M RRU,
    # 1 M standard + 1 M FIFO requests, 10,000 publishes with one e-mail each, 20,000 secret reads,
    # 2 GiB of logs
    usage = Usage(gb_seconds=100_000.0, wru=2e6, rru=4e6, sqs_standard=10**6, sqs_fifo=10**6)
    usage.invocations["f"] = 10**6
    usage.sns_publishes, usage.email_deliveries = 10_000, 10_000
    usage.secrets_calls, usage.log_bytes = 20_000, 2 * 1024**3

    # When
    dollars = cost(usage, PRICES)

    # Then
    assert dollars["Lambda"] == pytest.approx(100_000 * 0.0000133334 + 0.20)  # $1.53334
    assert dollars["DynamoDB"] == pytest.approx(2 * 0.625 + 4 * 0.125)  # $1.75
    assert dollars["SQS"] == pytest.approx(0.40 + 0.50)
    assert dollars["SNS"] == pytest.approx(0.005 + 0.20)
    assert dollars["Secrets Manager"] == pytest.approx(0.10)
    assert dollars["CloudWatch Logs"] == pytest.approx(1.00)
    assert dollars["X-Ray"] == pytest.approx(5.00)


def test_scaling_to_the_unit_and_the_goal_line() -> None:
    assert per_unit({"Lambda": 0.03}, 2_000, 100_000) == {"Lambda": pytest.approx(1.5)}
    assert goal_line(1.5) == "≤ $2 per 100,000 orders: met (ratio 0.75)"
    assert goal_line(2.5) == "≤ $2 per 100,000 orders: not met (ratio 1.25)"
    with pytest.raises(ValueError):
        per_unit({"Lambda": 1.0}, 0, 100)


def test_merged_usages_add_up() -> None:
    first, second = Usage(wru=2.0, log_bytes=10), Usage(wru=3.0, log_bytes=5)
    first.invocations["f"], second.invocations["f"] = 1, 2
    total = merged(first, second)
    assert (total.wru, total.log_bytes, total.invocations["f"]) == (5.0, 15, 3)


def test_emf_lines_name_their_metric_series() -> None:
    text = "\n".join(
        [
            '{"level":"INFO","message":"done"}',
            '{"_aws":{"CloudWatchMetrics":[{"Namespace":"Crossdock","Dimensions":[["service"]],'
            '"Metrics":[{"Name":"OrdersNew"},{"Name":"ApiCalls"}]}]},"service":"orders","OrdersNew":3}',
        ]
    )
    assert emf_metrics(text) == {
        ("Crossdock", "OrdersNew", (("service", "orders"),)),
        ("Crossdock", "ApiCalls", (("service", "orders"),)),
    }
