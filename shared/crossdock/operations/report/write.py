"""Gather, render and write the report: what `crossdock report` and the local demo call."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path

from crossdock.operations.report.gather import MinimumCalls, gather
from crossdock.operations.report.page import render


def write_report(
    path: str | Path,
    *,
    since: datetime,
    now: datetime,
    tz: tzinfo,
    minimum_calls: MinimumCalls | None = None,
) -> Path:
    """Write the report to `path` (its folder is created) and return the file's absolute path."""
    target = Path(path).expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    html = render(gather(since=since, now=now, minimum_calls=minimum_calls), tz)
    target.write_text(html, encoding="utf-8")
    return target
