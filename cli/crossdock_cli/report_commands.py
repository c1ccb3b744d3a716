"""`crossdock report [--since T] [--out FILE]`: the operations report as one self-contained HTML page
(inline charts, no external asset: it opens offline). Prints the file's path."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock.channels.registry import minimum_calls
from crossdock.operations.report.write import write_report

from crossdock_cli import arguments
from crossdock_cli.output import Output
from crossdock_cli.parsing import command
from crossdock_cli.session import configured

DEFAULT_OUT = "crossdock-report.html"
DEFAULT_PERIOD = timedelta(hours=24)
SPAN = re.compile(r"(\d+)\s*([mhd])")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def since_time(text: str | None, now: datetime) -> datetime:
    """`--since`: an ISO 8601 time or date, or a span back from now (`90m`, `6h`, `7d`); 24 h by default."""
    if not text:
        return now - DEFAULT_PERIOD
    span = SPAN.fullmatch(text.strip())
    since = now - timedelta(**{UNITS[span[2]]: int(span[1])}) if span else arguments.timestamp(text.strip())
    if since is None or since >= now:
        raise arguments.UsageError(f"--since {text!r} is not in the past")
    return since


def report(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    now = datetime.now(UTC)
    since = since_time(args.since, now)
    configured()
    path = write_report(args.out, since=since, now=now, tz=out.tz, minimum_calls=minimum_calls)
    out.line(str(path))
    out.json(
        {
            "path": str(path),
            "since": since,
            "generated_at": now,
            "zone": str(getattr(out.tz, "key", None) or out.tz),
        }
    )
    return 0


def register(sub: Any) -> None:
    parser = command(
        sub,
        "report",
        help="write the operations report: one HTML page with charts that opens offline",
        run=report,
        reads=True,
    )
    parser.add_argument(
        "--since",
        help="start of the period: ISO 8601 (2026-12-01T08:00:00Z) or a span back from now (90m, 6h, 7d);"
        " default 24h",
    )
    parser.add_argument(
        "--out", default=DEFAULT_OUT, help=f"the HTML file to write (default ./{DEFAULT_OUT})"
    )
