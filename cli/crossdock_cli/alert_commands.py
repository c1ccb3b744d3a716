"""`crossdock alerts list`: the e-mails crossdock published (alerts and reports), newest first, from
the alert log (kept 30 days)."""

from __future__ import annotations

import argparse
from typing import Any

from crossdock.core.alerts.store import LOG_TTL, TOPIC_KINDS
from crossdock.core.times import now_utc
from crossdock.operations.storage.alerts import alert_lines

from crossdock_cli.arguments import UsageError, timestamp
from crossdock_cli.output import Output
from crossdock_cli.parsing import command, group
from crossdock_cli.session import configured

DEFAULT_LIMIT = 50


def alerts_list(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    if args.limit < 1:
        raise UsageError(f"--limit must be at least 1, got {args.limit}")
    configured()
    now = now_utc()
    since = timestamp(args.since) or now - LOG_TTL
    topics = (args.topic,) if args.topic else TOPIC_KINDS
    lines = alert_lines(since, args.limit, topics)
    out.json(
        {
            "since": since,
            "topics": list(topics),
            "alerts": [
                {"sent_at": a.sent_at, "topic": a.topic, "subject": a.subject, "key": a.key} for a in lines
            ],
        }
    )
    out.table(
        ["SENT", "TOPIC", "SUBJECT", "KEY"],
        [[out.when(a.sent_at), a.topic, a.subject, a.key] for a in lines],
        empty=f"no {' or '.join(topics)} since {out.when(since)}",
    )
    return 0


def register(sub: Any) -> None:
    actions = group(sub, "alerts", help="the alerts and reports crossdock e-mailed (the last 30 days)")
    parser = command(
        actions, "list", help="alerts and reports sent, newest first", run=alerts_list, reads=True
    )
    parser.add_argument(
        "--since", metavar="T", help="from this time (ISO 8601 or a date; default 30 days ago)"
    )
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, metavar="N", help=f"at most N (default {DEFAULT_LIMIT})"
    )
    parser.add_argument("--topic", choices=TOPIC_KINDS, help="only alerts (need a person now) or reports")
