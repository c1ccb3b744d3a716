"""The e2e guard on DynamoDB grants: a handler's call outside its FunctionSpec.tables is reported."""

from __future__ import annotations

import threading

from crossdock.stock.resources import STOCK_FLUSHER, STOCK_PLANNER

from tests.support.dynamodb_access import AccessRecorder


def _calls(function: str, *calls: tuple[str, dict]) -> list[str]:
    recorder = AccessRecorder()
    recorder.invoking.append((function, frozenset()))  # no thread was running before it
    for operation, params in calls:
        recorder.record(operation, params)
    return recorder.violations()


def test_calls_within_the_grants_pass():
    # Given the flusher's own work: read SKUs, update listings, query the dirty index, audit in batches
    found = _calls(
        STOCK_FLUSHER.name,
        ("BatchGetItem", {"RequestItems": {"crossdock-stock": {}}}),
        ("UpdateItem", {"TableName": "crossdock-listings"}),
        ("Query", {"TableName": "crossdock-listings", "IndexName": "dirty"}),
        ("BatchWriteItem", {"RequestItems": {"crossdock-stock-audit": {}}}),
        ("DeleteItem", {"TableName": "crossdock-alerts"}),
    )

    # Then nothing is reported
    assert found == []


def test_calls_iam_would_refuse_are_named():
    # Given a planner that deletes, queries an index it was not granted, and transacts
    found = _calls(
        STOCK_PLANNER.name,
        ("DeleteItem", {"TableName": "crossdock-stock"}),
        ("Query", {"TableName": "crossdock-listings", "IndexName": "by-shop"}),
        ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "crossdock-listings"}}]}),
        ("GetItem", {"TableName": "crossdock-orders"}),
    )

    # Then each is named with its table (or index)
    assert found == [
        "stock-planner: DeleteItem on StockTable",
        "stock-planner: GetItem on OrdersTable",
        "stock-planner: PutItem on ListingsTable",
        "stock-planner: Query on ListingsTable/index/by-shop",
    ]


def test_calls_outside_any_function_are_not_checked():
    # Given a call made by the demo's setup (no handler on the stack, no invocation running)
    recorder = AccessRecorder()
    recorder.record("DeleteItem", {"TableName": "crossdock-stock"})

    # Then it is not attributed to any function
    assert recorder.calls == set()


def test_a_call_from_a_thread_already_running_before_the_invocation_is_not_the_functions():
    # Given the runner invoking the planner while this thread (the demo's ticker) was already running
    recorder = AccessRecorder()
    recorder.invoking.append((STOCK_PLANNER.name, frozenset({threading.get_ident()})))

    # When this thread deletes an item (which the planner's role may not)
    recorder.record("DeleteItem", {"TableName": "crossdock-stock"})

    # Then nothing is attributed to the planner
    assert recorder.violations() == []


def test_a_call_from_a_thread_the_invocation_started_is_the_functions():
    # Given the planner invoked while no other thread ran
    recorder = AccessRecorder()
    recorder.invoking.append((STOCK_PLANNER.name, frozenset()))

    # When a thread it started deletes an item
    worker = threading.Thread(target=recorder.record, args=("DeleteItem", {"TableName": "crossdock-stock"}))
    worker.start()
    worker.join()

    # Then the planner is reported for it
    assert [v.split(":")[0] for v in recorder.violations()] == [STOCK_PLANNER.name]
