"""`crossdock dlq …` against the local stack: depths of every DLQ, previews that remove nothing, a
replay that moves every message back to its source queue (FIFO groups kept), purge with
confirmation."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from crossdock.orders.resources import ORDER_TASKS_QUEUE
from crossdock.stock.resources import STOCK_CHANGES_QUEUE
from crossdock_cli import main as cli
from crossdock_local.aws.stack import LocalStack


@pytest.fixture()
def stack() -> Iterator[LocalStack]:
    with LocalStack(rate_scale=200) as running:  # it publishes every DLQ's URL under its dlq_env_var
        yield running


def dead_letters(stack: LocalStack, count: int) -> list[str]:
    """`count` order tasks that failed maxReceiveCount times, moved to the DLQ by SQS's redrive."""
    sqs, url = stack.client("sqs"), stack.queue_url(ORDER_TASKS_QUEUE)
    bodies = [json.dumps({"kind": "pull", "shop_id": f"shop-{n}", "reason": "manual"}) for n in range(count)]
    for body in bodies:
        sqs.send_message(
            QueueUrl=url,
            MessageBody=body,
            MessageAttributes={"trace": {"DataType": "String", "StringValue": body[-12:]}},
        )
    # A worker failing every time: each is received until SQS moves it to the DLQ (maxReceiveCount).
    while sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages"):
        pass
    return bodies


def fifo_dead_letters(stack: LocalStack, groups: dict[str, list[str]]) -> None:
    sqs, url = stack.client("sqs"), stack.dead_letter_url(STOCK_CHANGES_QUEUE)
    for group, bodies in groups.items():
        for body in bodies:
            sqs.send_message(
                QueueUrl=url, MessageBody=body, MessageGroupId=group, MessageDeduplicationId=body
            )


def drain(stack: LocalStack, url: str) -> list[dict[str, Any]]:
    sqs, found = stack.client("sqs"), []
    while messages := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
    ).get("Messages", []):
        found += messages
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return found


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    capsys.readouterr()
    assert cli.main([*argv, "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def test_list_gives_every_queues_dead_letter_depth(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 3 dead order tasks and 2 dead stock changes
    dead_letters(stack, 3)
    fifo_dead_letters(stack, {"SKU-1": ["a", "b"]})
    # When listed for a script and for a person
    depths = run_json(capsys, "dlq", "list")
    cli.main(["dlq", "list"])
    table = capsys.readouterr().out
    # Then every queue is there with its depth
    found = {q["queue"]: q["dead_letters"] for q in depths["queues"]}
    assert found == {
        "order-tasks": 3,
        "order-events": 0,
        "stock-changes": 2,
        "stock-flush": 0,
        "stock-adjustments": 0,
        "shipment-events": 0,
        "tracking-tasks": 0,
        "supplier-tasks": 0,
        "amazon-notices": 0,
        "shopify-notices": 0,
    }
    assert depths["queues"][0] == {
        "queue": "order-tasks",
        "logical_id": "OrderTasksQueue",
        "dead_letters": 3,
        "waiting": 3,
        "in_flight": 0,
    }
    assert "order-tasks" in table and "crossdock dlq replay QUEUE" in table


def test_previews_show_the_dead_letters_and_leave_them_in_place(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 12 dead order tasks
    bodies = dead_letters(stack, 12)
    # When previewed (by logical id), twice
    first = run_json(capsys, "dlq", "list", "OrderTasksQueue")
    second = run_json(capsys, "dlq", "list", "order-tasks", "--limit", "4")
    # Then each preview names the message, when it was first received and how often
    assert first["queue"] == "order-tasks" and first["dead_letters"] == 12
    assert sorted(m["excerpt"] for m in first["messages"]) == sorted(bodies)
    assert all(m["receive_count"] >= ORDER_TASKS_QUEUE.max_receive_count for m in first["messages"])
    assert all(m["first_received_at"].endswith("Z") for m in first["messages"])
    assert len(second["messages"]) == 4
    # And nothing left the DLQ
    assert len(drain(stack, stack.dead_letter_url(ORDER_TASKS_QUEUE))) == 12


def test_replay_moves_every_dead_letter_back_to_its_queue(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given 23 dead order tasks
    bodies = dead_letters(stack, 23)
    # When 5 are replayed, then the rest
    some = run_json(capsys, "dlq", "replay", "order-tasks", "--limit", "5")
    rest = run_json(capsys, "dlq", "replay", "OrderTasksQueue")
    # Then all 23 are back on the order-tasks queue once each, with their attributes; the DLQ is empty
    back = drain(stack, stack.queue_url(ORDER_TASKS_QUEUE))
    assert (some["moved"], some["left"]) == (5, 18)
    assert (rest["moved"], rest["left"], rest["refused"], rest["not_deleted"]) == (18, 0, [], [])
    assert sorted(m["Body"] for m in back) == sorted(bodies)
    assert {m["MessageAttributes"]["trace"]["StringValue"] for m in back} == {b[-12:] for b in bodies}
    assert drain(stack, stack.dead_letter_url(ORDER_TASKS_QUEUE)) == []


def test_a_fifo_replay_keeps_each_message_in_its_group(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given dead stock changes of two SKUs
    fifo_dead_letters(stack, {"SKU-1": ["1a", "1b", "1c"], "SKU-2": ["2a", "2b"]})
    # When replayed
    cli.main(["dlq", "replay", "stock-changes"])
    # Then each is back in its SKU's group, in order
    back = drain(stack, stack.queue_url(STOCK_CHANGES_QUEUE))
    groups: dict[str, list[str]] = {}
    for m in back:
        groups.setdefault(m["Attributes"]["MessageGroupId"], []).append(m["Body"])
    assert groups == {"SKU-1": ["1a", "1b", "1c"], "SKU-2": ["2a", "2b"]}
    assert "5 message(s) moved" in capsys.readouterr().out


def test_purge_asks_first_and_then_empties_the_dlq(
    stack: LocalStack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given 4 dead order tasks
    dead_letters(stack, 4)
    # When purged from a script without --yes, then with it
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    refused = cli.main(["dlq", "purge", "order-tasks"])
    kept = run_json(capsys, "dlq", "list")["queues"][0]["dead_letters"]
    purged = cli.main(["dlq", "purge", "order-tasks", "--yes"])
    # Then
    captured = capsys.readouterr()
    assert (refused, kept, purged) == (2, 4, 0)
    assert "4 dead letter(s) purged" in captured.out
    assert drain(stack, stack.dead_letter_url(ORDER_TASKS_QUEUE)) == []


def test_an_unknown_queue_is_named_with_the_known_ones(
    stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    # When
    code = cli.main(["dlq", "replay", "orders"])
    # Then
    assert code == 1
    assert "no queue 'orders'; known: order-tasks, order-events, stock-changes" in capsys.readouterr().err
