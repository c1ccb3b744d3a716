"""Dead letters against moto in-process: naming queues, finding their DLQs, peeking without losing
anything, replaying back to the source (attributes, FIFO groups, partial refusals, interruptions),
and purging."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from crossdock.core.dead_letters import (
    DeadLetterQueue,
    QueueNotFound,
    depth,
    find_spec,
    locate,
    peek,
    purge,
    replay,
    short_name,
)
from crossdock.core.specs import QueueSpec
from moto import mock_aws

TASKS = QueueSpec("OrderTasksQueue", "CROSSDOCK_ORDER_TASKS_QUEUE_URL")
CHANGES = QueueSpec("StockChangesQueue", "CROSSDOCK_STOCK_CHANGES_QUEUE_URL", fifo=True)
SPECS = (TASKS, CHANGES)


@pytest.fixture()
def sqs() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client(
            "sqs", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )


def make(sqs: Any, spec: QueueSpec) -> DeadLetterQueue:
    """A queue with its DLQ and redrive policy, as the stack builds them."""
    suffix, fifo = (".fifo", {"FifoQueue": "true"}) if spec.fifo else ("", {})
    stem = short_name(spec)
    dlq = sqs.create_queue(QueueName=f"{stem}-dlq{suffix}", Attributes=fifo)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "5"})
    source = sqs.create_queue(QueueName=f"{stem}{suffix}", Attributes={"RedrivePolicy": redrive, **fifo})
    return locate(spec, {spec.env_var: source["QueueUrl"], spec.dlq_env_var: dlq}, sqs)


def dead(sqs: Any, queue: DeadLetterQueue, count: int, *, groups: int = 1) -> list[str]:
    """`count` dead letters with a message attribute, as a redrive would have left them."""
    bodies = [json.dumps({"n": n}) for n in range(count)]
    for n, body in enumerate(bodies):
        extra = {"MessageGroupId": f"g{n % groups}", "MessageDeduplicationId": f"d{n}"} if queue.fifo else {}
        sqs.send_message(
            QueueUrl=queue.url,
            MessageBody=body,
            MessageAttributes={"origin": {"DataType": "String", "StringValue": f"test-{n}"}},
            **extra,
        )
    return bodies


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    """Everything on a queue (received and deleted), in the order SQS gave it."""
    found: list[dict[str, Any]] = []
    while True:
        answer = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"], MessageAttributeNames=["All"]
        )
        messages = answer.get("Messages", [])
        if not messages:
            return found
        found += messages
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_a_queue_is_found_by_short_name_logical_id_or_stem_in_any_case() -> None:
    # When / Then
    assert [find_spec(SPECS, n) for n in ("order-tasks", "OrderTasksQueue", "ordertasks", "ORDER_TASKS")] == [
        TASKS
    ] * 4
    assert find_spec(SPECS, "stock-changes") is CHANGES
    with pytest.raises(QueueNotFound, match="no queue 'orders'; known: order-tasks, stock-changes"):
        find_spec(SPECS, "orders")


def test_the_dlq_comes_from_its_variable_else_from_the_redrive_policy(sqs: Any) -> None:
    # Given a queue and its DLQ
    queue = make(sqs, TASKS)
    # When located without the DLQ's variable, and without the queue's
    found = locate(TASKS, {TASKS.env_var: queue.source_url}, sqs)
    # Then the redrive policy names the same DLQ; a missing queue variable is named
    assert found == queue
    with pytest.raises(QueueNotFound, match="CROSSDOCK_ORDER_TASKS_QUEUE_URL is not set"):
        locate(TASKS, {}, sqs)


def test_peek_shows_dead_letters_and_leaves_every_one_visible(sqs: Any) -> None:
    # Given 13 dead letters, one with a long body
    queue = make(sqs, TASKS)
    dead(sqs, queue, 12)
    sqs.send_message(QueueUrl=queue.url, MessageBody="x" * 500)
    # When peeked at twice
    first = peek(sqs, queue, 20, wait_s=0)
    second = peek(sqs, queue, 5, wait_s=0)
    # Then all 13 were shown, then 5, the long body cut; all are still there and visible at once
    assert len(first) == 13 and len(second) == 5
    assert {len(m.excerpt) for m in first} >= {120} and max(len(m.excerpt) for m in first) == 120
    assert all(m.first_received_at is not None for m in first)
    assert depth(sqs, queue).waiting == 13
    assert len(drain(sqs, queue.url)) == 13


def test_replay_moves_every_dead_letter_back_with_its_attributes(sqs: Any) -> None:
    # Given 25 dead letters (more than one batch)
    queue = make(sqs, TASKS)
    bodies = dead(sqs, queue, 25)
    # When replayed
    result = replay(sqs, queue, wait_s=0)
    # Then every one is on the source queue once, attributes kept, and the DLQ is empty
    back = drain(sqs, queue.source_url)
    assert (result.moved, result.refused, result.not_deleted, result.left) == (25, [], [], 0)
    assert sorted(m["Body"] for m in back) == sorted(bodies)
    assert {m["MessageAttributes"]["origin"]["StringValue"] for m in back} == {f"test-{n}" for n in range(25)}
    assert drain(sqs, queue.url) == []


def test_replay_with_a_limit_moves_that_many_and_leaves_the_rest(sqs: Any) -> None:
    # Given 7 dead letters
    queue = make(sqs, TASKS)
    dead(sqs, queue, 7)
    # When 3 are replayed
    result = replay(sqs, queue, 3, wait_s=0)
    # Then 3 are back, 4 wait in the DLQ (visible)
    assert (result.moved, result.left) == (3, 4)
    assert len(drain(sqs, queue.source_url)) == 3 and len(drain(sqs, queue.url)) == 4


def test_a_fifo_replay_keeps_groups_and_order_within_a_group(sqs: Any) -> None:
    # Given 6 dead letters of a FIFO queue in two message groups
    queue = make(sqs, CHANGES)
    dead(sqs, queue, 6, groups=2)
    # When replayed
    result = replay(sqs, queue, wait_s=0)
    # Then each is back in its group, in its order, with a deduplication id of its own
    back = drain(sqs, queue.source_url)
    assert result.moved == 6 and len(back) == 6
    by_group: dict[str, list[int]] = {}
    for m in back:
        by_group.setdefault(m["Attributes"]["MessageGroupId"], []).append(json.loads(m["Body"])["n"])
    assert by_group == {"g0": [0, 2, 4], "g1": [1, 3, 5]}
    assert len({m["Attributes"]["MessageDeduplicationId"] for m in back}) == 6


class Refusing:
    """moto's SQS, except that SQS refuses to take back the message whose body is `refused`."""

    def __init__(self, sqs: Any, refused: str) -> None:
        self.sqs, self.refused = sqs, refused

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sqs, name)

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        keep = [e for e in Entries if e["MessageBody"] != self.refused]
        answer = self.sqs.send_message_batch(QueueUrl=QueueUrl, Entries=keep) if keep else {}
        failed = [
            {"Id": e["Id"], "Code": "InternalError", "SenderFault": False} for e in Entries if e not in keep
        ]
        return {"Successful": answer.get("Successful", []), "Failed": failed}


def test_a_refused_copy_stays_in_the_dlq_and_the_replay_stops(sqs: Any) -> None:
    # Given 4 dead letters, one of which SQS will not take back
    queue = make(sqs, TASKS)
    bodies = dead(sqs, queue, 4)
    # When replayed
    result = replay(Refusing(sqs, bodies[2]), queue, wait_s=0)
    # Then the other 3 moved, the refused one is named and still in the DLQ, visible
    assert result.moved == 3 and len(result.refused) == 1
    assert [m["Body"] for m in drain(sqs, queue.url)] == [bodies[2]]
    assert sorted(m["Body"] for m in drain(sqs, queue.source_url)) == sorted(bodies[:2] + bodies[3:])


class Interrupted:
    """moto's SQS, interrupted (Ctrl-C) right after a batch was sent, before its delete."""

    def __init__(self, sqs: Any) -> None:
        self.sqs = sqs

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sqs, name)

    def delete_message_batch(self, **_: Any) -> dict[str, Any]:
        raise KeyboardInterrupt


def test_an_interrupted_replay_loses_nothing_at_worst_it_duplicates(sqs: Any) -> None:
    # Given 3 dead letters
    queue = make(sqs, TASKS)
    bodies = dead(sqs, queue, 3)
    # When the replay is interrupted between the send and the delete
    with pytest.raises(KeyboardInterrupt):
        replay(Interrupted(sqs), queue, wait_s=0)
    # Then every message is on the source queue, and still in the DLQ (in flight until its timeout)
    assert sorted(m["Body"] for m in drain(sqs, queue.source_url)) == sorted(bodies)
    assert depth(sqs, queue).total == 3


def test_purge_empties_the_dlq_and_says_how_many_it_held(sqs: Any) -> None:
    # Given 5 dead letters
    queue = make(sqs, TASKS)
    dead(sqs, queue, 5)
    # When purged
    before = purge(sqs, queue)
    # Then
    assert before == 5 and depth(sqs, queue).total == 0
