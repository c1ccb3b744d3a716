"""`crossdock` — register and watch the shops whose orders crossdock pulls, or run it all locally.

    crossdock local [--cycles N] [--faults none|realistic|hostile] [--seed S] [--outbox DIR] [--keep]
    crossdock local up | down | status     (a local stack kept running in the background)
    crossdock status                       (one screen: shops, stock, tracking, suppliers, DLQs, alerts)
    crossdock shops add --shop S --channel C --credentials FILE|- [--option k=v ...] [--endpoint name=url ...]
    crossdock shops rotate S --credentials FILE|-   (checked with the channel before it replaces the secret)
    crossdock shops list | update S | disable S | enable S | remove S [--purge] | resume S
    crossdock orders pull --shop S [--since T] [--until T] [--now] | list | show ORDER_ID
    crossdock stock list | export | push SKU [--dry-run] | import FILE | listing add | sku set
    crossdock stock check SKU QTY | history SKU
    crossdock shipments import FILE | list [--status S] [--follow-up] [--stalled] | show NUMBER
    crossdock tracking run [--max-tasks N]
    crossdock suppliers add --sku S --supplier SUPPLIER:OFFER[:SKU_ID] ... | list | check [--sku S]
    crossdock suppliers suggest [--email] | history SKU | platform 1688 --credentials FILE|-
    crossdock dlq list [QUEUE] | replay QUEUE [--limit N] | purge QUEUE
    crossdock alerts list [--since T] [--topic alerts|reports]
    crossdock report [--since T|6h|7d] [--out FILE]   (one HTML page with charts, opens offline)

Every command but `local` talks to one crossdock stack: `--stack NAME` or $CROSSDOCK_STACK (a
deployed stack, found by name with the usual AWS_PROFILE/AWS_REGION or --profile/--region), else
the local stack `crossdock local up` keeps running, else the deployed stack `crossdock`.
Reading commands take --json (one JSON document on stdout), --wide and --tz ZONE.
Exit codes: 0 done, 1 failed (AWS or channel error, unknown shop), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from botocore.exceptions import BotoCoreError, ClientError
from crossdock.core.dead_letters import QueueNotFound
from crossdock.orders.usecases.subscribe import NotSubscribable
from crossdock.shops.storage.shops import ShopNotFound
from crossdock.shops.usecases.admin import CredentialsRefused
from pynamodb.exceptions import PynamoDBException

from crossdock_cli import (
    alert_commands,
    dlq_commands,
    local_commands,
    order_commands,
    report_commands,
    shipment_commands,
    shop_commands,
    stack,
    status_commands,
    stock_commands,
    supplier_commands,
)
from crossdock_cli.arguments import UsageError

# Each group registers its own commands; one line here per group.
GROUPS = (
    local_commands,
    shop_commands,
    order_commands,
    status_commands,
    alert_commands,
    stock_commands,
    shipment_commands,
    supplier_commands,
    dlq_commands,
    report_commands,
)


def _parser() -> argparse.ArgumentParser:
    summary, _, details = (__doc__ or "").partition("\n\n")
    parser = argparse.ArgumentParser(
        prog="crossdock",
        description=summary,
        epilog=details,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for commands in GROUPS:
        commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        if getattr(args, "uses_stack", True):
            stack.connect(args)
        return run(args)
    except stack.StackError as exc:  # the stack cannot be found or read; the message says how to fix it
        print(f"crossdock: {exc}", file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"crossdock: {exc}", file=sys.stderr)
        return 2
    except ShopNotFound as exc:
        print(f"crossdock: {exc} (see `crossdock shops list`)", file=sys.stderr)
        return 1
    # the platform or the stack says no, or has no such queue: nothing changed
    except (CredentialsRefused, NotSubscribable, QueueNotFound) as exc:
        print(f"crossdock: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # refused by a use case: unknown channel, missing credential fields, …
        print(f"crossdock: {exc}", file=sys.stderr)
        return 2
    except (BotoCoreError, ClientError, PynamoDBException) as exc:
        print(f"crossdock: AWS call failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
