"""`crossdock status`: per shop state, checkpoint, lag, last run and error."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import Any

from crossdock.core.times import iso_z
from crossdock.shops.usecases.admin import shop_statuses

from crossdock_cli.parsing import command
from crossdock_cli.session import configured
from crossdock_cli.table import duration, print_table


def status(args: argparse.Namespace) -> int:
    configured()
    statuses = shop_statuses(datetime.now(UTC))
    if args.json:
        print(json.dumps([_status_json(s) for s in statuses], indent=2, ensure_ascii=False, default=str))
        return 0
    rows = [
        [
            s.shop_id,
            s.channel,
            s.state,
            iso_z(s.checkpoint) if s.checkpoint else "—",
            duration(s.lag_seconds),
            str(s.last_run.get("outcome", "—")),
            (s.last_error or "")[:60],
        ]
        for s in statuses
    ]
    print_table(
        ["SHOP", "CHANNEL", "STATE", "CHECKPOINT", "LAG", "LAST RUN", "LAST ERROR"],
        rows,
        empty="no shops registered yet",
    )
    return 0


def _status_json(status: Any) -> dict[str, Any]:
    return {
        "shop_id": status.shop_id,
        "channel": status.channel,
        "state": status.state,
        "checkpoint": iso_z(status.checkpoint) if status.checkpoint else None,
        "lag_seconds": status.lag_seconds,
        "last_error": status.last_error,
        "last_run": status.last_run,
        "totals": status.totals,
    }


def register(sub: Any) -> None:
    command(
        sub, "status", help="per shop: state, checkpoint, lag, last run and error", run=status, reads=True
    )
