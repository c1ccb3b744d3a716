"""The local runner delivers the events AWS delivers (EventBridge "Scheduled Event", SQS event
source mapping records) and settles SQS messages as the event source mapping does: only the records
a function reports in `batchItemFailures` (or all, when it raises) stay, and a poison message ends in
the DLQ after `maxReceiveCount` receives."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel, SqsModel
from crossdock.core.specs import FunctionSpec
from crossdock.deployment import FUNCTIONS, QUEUES
from crossdock.orders.resources import ORDER_TASKS_QUEUE, ORDERS_PLANNER, ORDERS_WORKER
from crossdock.stock.resources import FBA_SYNC, STOCK_PLANNER
from crossdock.suppliers.resources import SUPPLIERS_PLANNER
from crossdock.tracking.resources import TRACKING_PLANNER
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.stack import LocalStack

PROBE_HANDLER = """
import json
from pathlib import Path

SEEN = Path(__file__).parent / "seen.jsonl"


def handler(event, context):
    with SEEN.open("a") as out:
        out.write(json.dumps({"event": event, "remaining_ms": context.get_remaining_time_in_millis(),
                              "function_name": context.function_name,
                              "arn": context.invoked_function_arn}) + "\\n")
    if "Records" not in event:
        return {"scheduled": True}
    if any(json.loads(r["body"]).get("raise") for r in event["Records"]):
        raise RuntimeError("boom")
    failed = [r["messageId"] for r in event["Records"] if json.loads(r["body"]).get("fail")]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}
"""
PROBE_CONSUMER = FunctionSpec(
    name="probe",
    folder="probe",
    handler="handler.handler",
    timeout_s=30,
    queue=ORDER_TASKS_QUEUE.logical_id,
    batch_size=5,
)
PROBE_SCHEDULED = FunctionSpec(
    name="probe-schedule", folder="probe", handler="handler.handler", timeout_s=60, schedule="rate(5 minutes)"
)


@pytest.fixture()
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        yield running


@pytest.fixture()
def probe_dir(tmp_path: Path) -> Path:
    (tmp_path / "probe").mkdir()
    (tmp_path / "probe" / "handler.py").write_text(PROBE_HANDLER)
    return tmp_path


def seen(probe_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (probe_dir / "probe" / "seen.jsonl").read_text().splitlines()]


def runner_for(
    stack: LocalStack,
    functions: list[FunctionSpec],
    functions_dir: Path | None = None,
    visibility: int | None = 0,
) -> LocalRunner:
    urls = {q.logical_id: stack.queue_url(q) for q in QUEUES}
    extra: dict[str, Any] = {"functions_dir": functions_dir} if functions_dir else {}
    return LocalRunner(
        urls, functions=functions, visibility_timeout_s=visibility, log_stream=io.StringIO(), **extra
    )


def send(stack: LocalStack, *bodies: dict[str, Any]) -> None:
    sqs = stack.client("sqs")
    for body in bodies:
        sqs.send_message(
            QueueUrl=stack.queue_url(ORDER_TASKS_QUEUE),
            MessageBody=json.dumps(body),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": "probe"}},
        )


def test_schedule_delivers_the_eventbridge_scheduled_event_envelope(
    stack: LocalStack, probe_dir: Path
) -> None:
    # Given
    runner = runner_for(stack, [PROBE_SCHEDULED], probe_dir)

    # When
    result = runner.fire(PROBE_SCHEDULED)

    # Then
    [call] = seen(probe_dir)
    event = call["event"]
    parsed = EventBridgeModel.model_validate(event)
    assert parsed.detail_type == "Scheduled Event" and parsed.source == "aws.events"
    assert event["version"] == "0" and event["detail"] == {} and event["account"] == "123456789012"
    assert event["resources"] == [
        "arn:aws:events:us-east-1:123456789012:rule/crossdock-probe-schedule-schedule"
    ]
    assert call["function_name"] == "crossdock-probe-schedule"
    assert call["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:crossdock-probe-schedule"
    assert 59_000 < call["remaining_ms"] <= 60_000
    assert result == {"scheduled": True}


def test_sqs_delivery_has_the_event_source_mapping_shape(stack: LocalStack, probe_dir: Path) -> None:
    # Given
    runner = runner_for(stack, [PROBE_CONSUMER], probe_dir)
    send(stack, {"n": 1}, {"n": 2})

    # When
    report = runner.drain(ORDER_TASKS_QUEUE, PROBE_CONSUMER)

    # Then
    records = [r for call in seen(probe_dir) for r in call["event"]["Records"]]
    assert sorted(json.loads(r["body"])["n"] for r in records) == [1, 2]
    SqsModel.model_validate({"Records": records})
    record = records[0]
    assert record["eventSource"] == "aws:sqs" and record["awsRegion"] == "us-east-1"
    assert record["eventSourceARN"] == "arn:aws:sqs:us-east-1:123456789012:crossdock-order-tasks"
    assert set(record["attributes"]) == {
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    }
    assert record["messageAttributes"]["kind"]["stringValue"] == "probe"
    assert record["messageAttributes"]["kind"]["dataType"] == "String"
    assert (report.ok, report.failed) == (2, 0)
    assert runner.depth(ORDER_TASKS_QUEUE) == 0


def test_only_records_reported_in_batch_item_failures_stay_on_the_queue(
    stack: LocalStack, probe_dir: Path
) -> None:
    # Given
    runner = runner_for(stack, [PROBE_CONSUMER], probe_dir, visibility=30)
    send(stack, {"n": 1}, {"n": 2, "fail": True}, {"n": 3})

    # When
    report = runner.drain(ORDER_TASKS_QUEUE, PROBE_CONSUMER)

    # Then
    assert (report.ok, report.failed) == (2, 1)
    assert runner.depth(ORDER_TASKS_QUEUE) == 1  # in flight until its visibility timeout ends
    assert runner.figures["probe"].records_failed == 1


def test_a_function_that_raises_leaves_every_record_of_its_batch(stack: LocalStack, probe_dir: Path) -> None:
    # Given
    runner = runner_for(stack, [PROBE_CONSUMER], probe_dir, visibility=30)
    send(stack, {"n": 1}, {"n": 2, "raise": True})

    # When
    report = runner.drain(ORDER_TASKS_QUEUE, PROBE_CONSUMER)

    # Then
    assert (report.ok, report.failed) == (0, 2)
    assert report.errors == ["probe: RuntimeError: boom"]
    assert runner.figures["probe"].errors == 1
    assert runner.depth(ORDER_TASKS_QUEUE) == 2


def test_a_poison_task_reaches_the_dead_letter_queue_through_the_real_worker(stack: LocalStack) -> None:
    # Given: a task body the order worker cannot parse
    runner = runner_for(stack, [ORDERS_WORKER])
    stack.client("sqs").send_message(QueueUrl=stack.queue_url(ORDER_TASKS_QUEUE), MessageBody="{not json")

    # When: failed records reappear at once (visibility 0) until moto's redrive takes them
    report = runner.drain(ORDER_TASKS_QUEUE, ORDERS_WORKER)

    # Then
    assert report.failed == ORDER_TASKS_QUEUE.max_receive_count
    assert runner.depth(ORDER_TASKS_QUEUE) == 0
    assert runner.depth(ORDER_TASKS_QUEUE, dead_letters=True) == 1


def test_cycle_fires_the_real_planner_and_drains_its_tasks(stack: LocalStack) -> None:
    # Given: no shops registered
    runner = runner_for(stack, list(FUNCTIONS))

    # When
    cycle = runner.run_cycle()

    # Then: the rate schedules were due, the daily crons were not
    assert cycle.fired == {
        ORDERS_PLANNER.name: {"enqueued": 0, "skipped": {}},
        FBA_SYNC.name: {"shops": 0, "full_reads": 0, "changed": 0, "failed": []},
        STOCK_PLANNER.name: {"listings": 0, "announced": 0},
        TRACKING_PLANNER.name: {
            "planned": 0,
            "tasks": 0,
            "stalled_reported": 0,
            "follow_ups_reported": 0,
            "escalated": 0,
        },
        SUPPLIERS_PLANNER.name: {"products": 0, "tasks": 0},
    }
    assert cycle.drained[ORDER_TASKS_QUEUE.logical_id].batches == 0
    assert runner.figures[ORDERS_PLANNER.name].invocations == 1
    assert runner.due() == []
