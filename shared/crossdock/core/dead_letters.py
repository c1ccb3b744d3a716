"""Dead-letter queues for operators: how deep each is, what is in one, moving its messages back to
the source queue, and emptying it. Plain functions over an injected boto3 SQS client.

Every queue of crossdock has a DLQ (`QueueSpec`); the stack publishes both URLs in the environment
(`QueueSpec.env_var`, `QueueSpec.dlq_env_var`). When only the source queue's variable is set, its
DLQ is read from the queue's redrive policy, which is what SQS itself follows.

Nothing is lost on the way: `peek` hands every message back (visibility 0) after reading it;
`replay` sends a copy to the source queue first and deletes the dead letter only once SQS accepted
that copy, so an interruption leaves at worst a message in both queues — a duplicate, which every
worker is idempotent for. A FIFO copy keeps its message group and gets a deduplication id derived
from the dead letter's id, so a replay run twice within SQS's five-minute window sends it once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crossdock.core.specs import QueueSpec

BATCH = 10  # SQS's largest receive, send and delete batch
EXCERPT = 120  # characters of a body shown in a preview
PEEK_VISIBILITY_S = 5  # a peeked message is handed back at once; this only bounds a crash
REPLAY_VISIBILITY_S = 60  # time to send a batch's copies and delete the originals


class QueueNotFound(LookupError):
    """No crossdock queue by that name, or the environment does not say where it is."""


@dataclass(frozen=True)
class DeadLetterQueue:
    name: str  # short name: order-tasks
    logical_id: str  # OrderTasksQueue
    source_url: str
    url: str
    fifo: bool


@dataclass(frozen=True)
class Depth:
    queue: DeadLetterQueue
    waiting: int  # ApproximateNumberOfMessages
    in_flight: int  # ApproximateNumberOfMessagesNotVisible: being read (or peeked) right now

    @property
    def total(self) -> int:
        return self.waiting + self.in_flight


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    first_received_at: datetime | None  # when a consumer first received it (source queue)
    receive_count: int  # receives before this look (the source queue's count carries over)
    excerpt: str
    group_id: str | None = None


@dataclass
class Replay:
    moved: int = 0  # copied to the source queue
    refused: list[str] = field(default_factory=list)  # ids SQS would not take back: still in the DLQ
    not_deleted: list[str] = field(default_factory=list)  # copied, but still in the DLQ as well
    left: int = 0  # in the DLQ after the run (approximate)


def short_name(spec: QueueSpec) -> str:
    """`OrderTasksQueue` → `order-tasks` (the name in `crossdock dlq` and the deployed queue's stem)."""
    stem = spec.env_var.lower().removeprefix("crossdock_").removesuffix("_queue_url")
    return stem.replace("_", "-")


def find_spec(specs: Iterable[QueueSpec], name: str) -> QueueSpec:
    """The spec a name means: its short name, its logical id, or the logical id without `Queue`
    (any case: `order-tasks`, `OrderTasksQueue`, `ordertasks`)."""
    wanted = name.lower().replace("-", "").replace("_", "")
    known = list(specs)
    for spec in known:
        logical = spec.logical_id.lower()
        if wanted in (short_name(spec).replace("-", ""), logical, logical.removesuffix("queue")):
            return spec
    raise QueueNotFound(f"no queue {name!r}; known: {', '.join(short_name(s) for s in known)}")


def locate(spec: QueueSpec, environ: Mapping[str, str], sqs: Any) -> DeadLetterQueue:
    """The queue's and its DLQ's URLs, from the environment (the DLQ: else the redrive policy)."""
    source = environ.get(spec.env_var, "")
    url = environ.get(spec.dlq_env_var, "")
    if not source:
        raise QueueNotFound(
            f"{spec.env_var} is not set: the CLI does not know where {short_name(spec)} is "
            "(choose a stack with --stack, or start the local one)"
        )
    if not url:
        url = _redrive_target(sqs, source, spec)
    return DeadLetterQueue(short_name(spec), spec.logical_id, source, url, spec.fifo)


def _redrive_target(sqs: Any, source_url: str, spec: QueueSpec) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=source_url, AttributeNames=["RedrivePolicy"])["Attributes"]
    if "RedrivePolicy" not in attributes:
        raise QueueNotFound(f"{spec.dlq_env_var} is not set and {short_name(spec)} has no redrive policy")
    arn = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
    return str(sqs.get_queue_url(QueueName=arn.rsplit(":", 1)[1])["QueueUrl"])


def depth(sqs: Any, queue: DeadLetterQueue) -> Depth:
    return Depth(queue, *counts(sqs, queue.url))


def counts(sqs: Any, url: str) -> tuple[int, int]:
    """Messages waiting and in flight on the queue at `url` (SQS's approximate counts)."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    found = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(found.get(names[0], 0)), int(found.get(names[1], 0))


def peek(sqs: Any, queue: DeadLetterQueue, limit: int = 20, *, wait_s: int = 1) -> list[DeadLetter]:
    """Up to `limit` dead letters, read and handed straight back (nothing is deleted). A FIFO queue
    shows the first of each message group only: SQS holds the rest of a group while one is out."""
    found: dict[str, DeadLetter] = {}
    handles: list[str] = []
    try:
        while len(found) < limit:
            messages = _receive(sqs, queue.url, min(BATCH, limit - len(found)), PEEK_VISIBILITY_S, wait_s)
            fresh = [m for m in messages if m["MessageId"] not in found]
            handles += [m["ReceiptHandle"] for m in messages]
            if not fresh:
                break
            for message in fresh:
                found[message["MessageId"]] = _preview(message)
    finally:
        _hand_back(sqs, queue.url, handles)
    return list(found.values())


def replay(sqs: Any, queue: DeadLetterQueue, limit: int | None = None, *, wait_s: int = 1) -> Replay:
    """Move up to `limit` (default: all) dead letters back to the source queue: send, then delete.
    Stops at the first batch SQS refuses part of, leaving the refused ones visible in the DLQ."""
    report = Replay()
    seen: set[str] = set()
    while limit is None or report.moved < limit:
        want = BATCH if limit is None else min(BATCH, limit - report.moved)
        messages = _receive(sqs, queue.url, want, REPLAY_VISIBILITY_S, wait_s)
        again = [m for m in messages if m["MessageId"] in seen]  # copied already: never send twice
        fresh = [m for m in messages if m["MessageId"] not in seen]
        _hand_back(sqs, queue.url, [m["ReceiptHandle"] for m in again])
        if not fresh:
            break
        seen.update(m["MessageId"] for m in fresh)
        if not _move(sqs, queue, fresh, report):
            break
    report.left = depth(sqs, queue).total
    return report


def _move(sqs: Any, queue: DeadLetterQueue, messages: list[dict[str, Any]], report: Replay) -> bool:
    """Copy one batch to the source queue, then delete the copied ones; False if SQS refused any."""
    sent = sqs.send_message_batch(
        QueueUrl=queue.source_url, Entries=[_copy(str(i), m, queue.fifo) for i, m in enumerate(messages)]
    )
    accepted = {int(entry["Id"]) for entry in sent.get("Successful", [])}
    copied = [m for i, m in enumerate(messages) if i in accepted]
    refused = [m for i, m in enumerate(messages) if i not in accepted]
    if copied:
        deleted = sqs.delete_message_batch(
            QueueUrl=queue.url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(copied)],
        )
        report.not_deleted += [copied[int(f["Id"])]["MessageId"] for f in deleted.get("Failed", [])]
    report.moved += len(copied)
    report.refused += [m["MessageId"] for m in refused]
    _hand_back(sqs, queue.url, [m["ReceiptHandle"] for m in refused])
    return not refused


def purge(sqs: Any, queue: DeadLetterQueue) -> int:
    """Empty the DLQ (SQS PurgeQueue: at most once a minute per queue); returns the depth before."""
    before = depth(sqs, queue).total
    sqs.purge_queue(QueueUrl=queue.url)
    return before


def _receive(sqs: Any, url: str, count: int, visibility_s: int, wait_s: int) -> list[dict[str, Any]]:
    answer = sqs.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=count,
        VisibilityTimeout=visibility_s,
        WaitTimeSeconds=wait_s,
        AttributeNames=["All"],
        MessageAttributeNames=["All"],
    )
    return list(answer.get("Messages", []))


def _hand_back(sqs: Any, url: str, handles: Sequence[str]) -> None:
    """Make received messages visible again at once (visibility 0)."""
    for start in range(0, len(handles), BATCH):
        chunk = handles[start : start + BATCH]
        sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0} for i, h in enumerate(chunk)],
        )


def _preview(message: dict[str, Any]) -> DeadLetter:
    attributes = message.get("Attributes", {})
    first = attributes.get("ApproximateFirstReceiveTimestamp")
    body = " ".join(str(message.get("Body", "")).split())
    return DeadLetter(
        message_id=message["MessageId"],
        first_received_at=datetime.fromtimestamp(int(first) / 1000, UTC) if first else None,
        receive_count=max(0, int(attributes.get("ApproximateReceiveCount", 1)) - 1),  # not this peek
        excerpt=body if len(body) <= EXCERPT else body[: EXCERPT - 1] + "…",
        group_id=attributes.get("MessageGroupId"),
    )


def _copy(entry_id: str, message: dict[str, Any], fifo: bool) -> dict[str, Any]:
    """The send-batch entry that puts `message` back on its source queue as it was sent."""
    entry: dict[str, Any] = {"Id": entry_id, "MessageBody": message["Body"]}
    attributes = {
        name: {k: v for k, v in value.items() if k in ("DataType", "StringValue", "BinaryValue")}
        for name, value in message.get("MessageAttributes", {}).items()
    }
    if attributes:
        entry["MessageAttributes"] = attributes
    if fifo:
        entry["MessageGroupId"] = message["Attributes"]["MessageGroupId"]
        entry["MessageDeduplicationId"] = f"replay-{message['MessageId']}"
    return entry
