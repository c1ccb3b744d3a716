"""`crossdock dlq …`: the dead letters of every crossdock queue — how many, what they say, back to
work (replay) or gone (purge). QUEUE is a short name (`order-tasks`) or a logical id
(`OrderTasksQueue`)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from crossdock.core import aws
from crossdock.core.dead_letters import (
    DeadLetterQueue,
    depth,
    find_spec,
    locate,
    peek,
    purge,
    replay,
    short_name,
)
from crossdock.deployment import QUEUES

from crossdock_cli.confirm import confirmed
from crossdock_cli.output import Output
from crossdock_cli.parsing import command, group
from crossdock_cli.session import configured


def _queue(name: str) -> DeadLetterQueue:
    configured()
    return locate(find_spec(QUEUES, name), os.environ, aws.client("sqs"))


def dlq_list(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    return _previews(out, _queue(args.queue), args.limit) if args.queue else _depths(out)


def _depths(out: Output) -> int:
    configured()
    sqs = aws.client("sqs")
    found = [depth(sqs, locate(spec, os.environ, sqs)) for spec in QUEUES]
    out.json(
        {
            "queues": [
                {
                    "queue": d.queue.name,
                    "logical_id": d.queue.logical_id,
                    "dead_letters": d.total,
                    "waiting": d.waiting,
                    "in_flight": d.in_flight,
                }
                for d in found
            ]
        }
    )
    out.table(
        ["QUEUE", "DEAD LETTERS", "IN FLIGHT"],
        [[d.queue.name, d.total, d.in_flight] for d in found],
        empty="no queues",
        numeric=["DEAD LETTERS", "IN FLIGHT"],
    )
    if any(d.total for d in found):
        out.line("previews: `crossdock dlq list QUEUE`; back to work: `crossdock dlq replay QUEUE`")
    return 0


def _previews(out: Output, queue: DeadLetterQueue, limit: int) -> int:
    sqs = aws.client("sqs")
    letters = peek(sqs, queue, limit)
    total = depth(sqs, queue).total
    out.json(
        {
            "queue": queue.name,
            "dead_letters": total,
            "messages": [
                {
                    "message_id": m.message_id,
                    "first_received_at": m.first_received_at,
                    "receive_count": m.receive_count,
                    "group_id": m.group_id,
                    "excerpt": m.excerpt,
                }
                for m in letters
            ],
        }
    )
    out.table(
        ["MESSAGE ID", "FIRST RECEIVED", "RECEIVES", "BODY"],
        [[m.message_id, out.when(m.first_received_at), m.receive_count, m.excerpt] for m in letters],
        empty=f"no dead letters in {queue.name}",
        numeric=["RECEIVES"],
        title=f"{queue.name}: {total} dead letter(s)",
    )
    if letters and len(letters) < total:
        out.line(f"{len(letters)} of {total} shown (--limit N; a FIFO queue shows one per message group)")
    return 0


def dlq_replay(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    queue = _queue(args.queue)
    result = replay(aws.client("sqs"), queue, args.limit)
    out.line(f"{result.moved} message(s) moved from {queue.name}'s dead letters back to {queue.name}")
    if result.refused:
        out.line(f"{len(result.refused)} refused by SQS, still in the DLQ: {', '.join(result.refused)}")
    if result.not_deleted:
        out.line(
            f"{len(result.not_deleted)} copied but not deleted from the DLQ (a replay again would repeat "
            f"them; the workers ignore repeats): {', '.join(result.not_deleted)}"
        )
    out.line(f"{result.left} left in the DLQ")
    out.json(
        {
            "queue": queue.name,
            "moved": result.moved,
            "refused": result.refused,
            "not_deleted": result.not_deleted,
            "left": result.left,
        }
    )
    return 1 if result.refused else 0


def dlq_purge(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    queue = _queue(args.queue)
    sqs = aws.client("sqs")
    count = depth(sqs, queue).total
    if not confirmed(f"delete the {count} dead letter(s) of {queue.name} for good?", yes=args.yes):
        out.line("nothing was deleted")
        return 1
    purged = purge(sqs, queue)
    out.line(f"{queue.name}: {purged} dead letter(s) purged (SQS takes up to a minute to finish)")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def register(sub: Any) -> None:
    """The `dlq` command group."""
    names = ", ".join(short_name(spec) for spec in QUEUES)
    dlq = group(sub, "dlq", help="dead letters: depths, previews, replay to the source queue, purge")
    listing = command(
        dlq,
        "list",
        help="every queue's dead-letter count, or previews of one queue's dead letters (nothing is removed)",
        run=dlq_list,
        reads=True,
    )
    listing.add_argument("queue", nargs="?", help=f"one of: {names}")
    listing.add_argument("--limit", type=_positive, default=20, help="previews to show (default 20)")
    again = command(
        dlq, "replay", help="move dead letters back to their source queue", run=dlq_replay, reads=True
    )
    again.add_argument("queue", help=f"one of: {names}")
    again.add_argument("--limit", type=_positive, help="move at most this many (default: all)")
    gone = command(dlq, "purge", help="delete a queue's dead letters for good", run=dlq_purge)
    gone.add_argument("queue", help=f"one of: {names}")
    gone.add_argument("--yes", action="store_true", help="do not ask for confirmation (scripts)")
