"""The local runner: what EventBridge and the SQS event source mapping do for the deployed functions.

moto neither fires schedules nor polls queues, so the runner does: it invokes each handler (loaded
from functions/<folder>/handler.py) with the real event shapes and a Lambda context, deletes the SQS
messages the function did not report in `batchItemFailures`, and leaves failed ones to reappear
after their visibility timeout, so moto's redrive moves a poison message to the DLQ after
`maxReceiveCount` receives — the same path a message takes in AWS.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from crossdock.core import aws
from crossdock.core.config import settings
from crossdock.core.specs import FunctionSpec, QueueSpec
from crossdock.deployment import FUNCTIONS, QUEUES

from crossdock_local.aws.events import scheduled_event, sqs_event
from crossdock_local.aws.lambda_env import FUNCTIONS_DIR, load_handler, new_context
from crossdock_local.aws.lambda_output import captured
from crossdock_local.aws.resources import dead_letter_url
from crossdock_local.aws.schedules import Schedule
from crossdock_local.aws.sqs_poller import QueuePoller, queue_depth


@dataclass
class FunctionFigures:
    invocations: int = 0
    errors: int = 0  # invocations that raised (Lambda "function error")
    records_ok: int = 0
    records_failed: int = 0


@dataclass
class DrainReport:
    batches: int = 0
    ok: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)


@dataclass
class CycleReport:
    fired: dict[str, Any] = field(default_factory=dict)  # function name → its return value
    drained: dict[str, DrainReport] = field(default_factory=dict)  # queue logical id → report
    errors: list[str] = field(default_factory=list)


class LocalRunner:
    def __init__(
        self,
        queue_urls: Mapping[str, str],
        *,
        functions: Sequence[FunctionSpec] = FUNCTIONS,
        queues: Sequence[QueueSpec] = QUEUES,
        visibility_timeout_s: int | None = None,
        max_batches: int = 200,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        log_stream: TextIO | None = None,
        functions_dir: Path = FUNCTIONS_DIR,
    ) -> None:
        """`queue_urls` maps queue logical ids to URLs. `visibility_timeout_s` None keeps each queue's
        own (from its spec); a small value makes failed records reappear quickly in local runs."""
        self.queue_urls = dict(queue_urls)
        self.functions = list(functions)
        self.queues = {q.logical_id: q for q in queues}
        self.visibility_timeout_s = visibility_timeout_s
        self.max_batches = max_batches
        self.clock = clock
        self.log_stream = log_stream
        self.functions_dir = functions_dir
        self.figures: dict[str, FunctionFigures] = {f.name: FunctionFigures() for f in self.functions}
        self.started_at = clock()
        self.last_fired: dict[str, datetime] = {}

    @property
    def region(self) -> str:
        return settings().region

    # -- invocation --------------------------------------------------------------------------------
    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        handler = load_handler(spec, self.functions_dir)
        figures = self.figures.setdefault(spec.name, FunctionFigures())
        figures.invocations += 1
        context = new_context(spec, self.region, clock=time.monotonic)
        try:
            with captured(self.log_stream):
                return handler(event, context)
        except Exception:
            figures.errors += 1
            raise

    def fire(self, spec: FunctionSpec) -> Any:
        """Deliver the rule's "Scheduled Event" now."""
        if spec.schedule is None:
            raise ValueError(f"{spec.name} has no schedule")
        now = self.clock()
        self.last_fired[spec.name] = now
        return self.invoke(spec, scheduled_event(spec, self.region, now))

    def due(self) -> list[FunctionSpec]:
        """Scheduled functions whose rule fired since they last ran (a rate rule: also on the first cycle)."""
        now = self.clock()
        found = []
        for spec in self.functions:
            if spec.schedule is None:
                continue
            schedule = Schedule.parse(spec.schedule)
            last = self.last_fired.get(spec.name)
            if (last is None and schedule.every is not None) or schedule.fires_between(
                last or self.started_at, now
            ):
                found.append(spec)
        return found

    # -- SQS -------------------------------------------------------------------------------------
    def consumer_of(self, queue: QueueSpec) -> FunctionSpec | None:
        return next((f for f in self.functions if f.queue == queue.logical_id), None)

    def drain(
        self, queue: QueueSpec, consumer: FunctionSpec, *, max_batches: int | None = None
    ) -> DrainReport:
        """Poll `queue` and invoke `consumer` batch by batch until a poll comes back empty."""
        poller = QueuePoller(
            aws.client("sqs"),
            self.queue_urls[queue.logical_id],
            batch_size=consumer.batch_size,
            visibility_timeout_s=self.visibility_timeout_s,
        )
        report = DrainReport()
        figures = self.figures.setdefault(consumer.name, FunctionFigures())  # counted per batch: progress
        for _ in range(max_batches or self.max_batches):
            messages = poller.receive()
            if not messages:
                break
            report.batches += 1
            failed = self._deliver(consumer, sqs_event(messages, poller.arn, self.region), report)
            done = [m for m in messages if m["MessageId"] not in failed]
            poller.acknowledge(done)  # the failed ones reappear after their visibility timeout
            report.ok += len(done)
            report.failed += len(messages) - len(done)
            figures.records_ok += len(done)
            figures.records_failed += len(messages) - len(done)
        return report

    def _deliver(self, consumer: FunctionSpec, event: dict[str, Any], report: DrainReport) -> set[str]:
        """Invoke; the ids of the records that failed (all of them when the function raised)."""
        ids = {r["messageId"] for r in event["Records"]}
        try:
            result = self.invoke(consumer, event)
        except Exception as exc:
            report.errors.append(f"{consumer.name}: {type(exc).__name__}: {exc}")
            return ids
        report.results.append(result)
        failures = (result or {}).get("batchItemFailures", []) if isinstance(result, dict) else []
        return {f["itemIdentifier"] for f in failures} & ids

    # -- cycles ------------------------------------------------------------------------------------
    def run_cycle(
        self, *, fire: Sequence[FunctionSpec] | None = None, max_batches: int | None = None
    ) -> CycleReport:
        """Fire the given (default: due) schedules, then drain every consumed queue."""
        report = CycleReport()
        for spec in self.due() if fire is None else fire:
            try:
                report.fired[spec.name] = self.fire(spec)
            except Exception as exc:
                report.errors.append(f"{spec.name}: {type(exc).__name__}: {exc}")
        for queue in self.queues.values():
            consumer = self.consumer_of(queue)
            if consumer is not None and queue.logical_id in self.queue_urls:
                drained = self.drain(queue, consumer, max_batches=max_batches)
                report.drained[queue.logical_id] = drained
                report.errors += drained.errors
        return report

    def depth(self, queue: QueueSpec, *, dead_letters: bool = False) -> int:
        """Messages waiting (visible + in flight) in a queue or its DLQ."""
        sqs = aws.client("sqs")
        url = self.queue_urls[queue.logical_id]
        return queue_depth(sqs, dead_letter_url(sqs, url) if dead_letters else url)
