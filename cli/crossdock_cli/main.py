"""`crossdock` — register and watch the shops whose orders crossdock pulls, or run it all locally.

    crossdock local [--cycles N] [--faults none|realistic|hostile] [--seed S] [--outbox DIR]
    crossdock shops add --shop S --channel C --credentials FILE|- [--option k=v ...] [--endpoint name=url ...]
    crossdock shops rotate S --credentials FILE|-   (checked with the channel before it replaces the secret)
    crossdock shops list | crossdock shops resume S
    crossdock orders pull --shop S [--since T] [--until T] [--now]
    crossdock status [--json]
    crossdock stock import FILE | listing add | sku set | check SKU QTY | history SKU
    crossdock shipments import FILE | list [--status S] [--follow-up] [--stalled] | show NUMBER
    crossdock tracking run [--max-tasks N]
    crossdock suppliers add --sku S --supplier SUPPLIER:OFFER[:SKU_ID] ... | list | check [--sku S]
    crossdock suppliers suggest [--email] | history SKU | platform 1688 --credentials FILE|-

Every command but `local` works on the AWS account of the usual AWS environment (AWS_PROFILE,
AWS_REGION) and the CROSSDOCK_* variables naming the tables and queues (the stack's outputs).
Exit codes: 0 done, 1 failed (AWS or channel error, unknown shop), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from botocore.exceptions import BotoCoreError, ClientError
from crossdock.shops.storage.shops import ShopNotFound
from crossdock.shops.usecases.admin import CredentialsRefused
from pynamodb.exceptions import PynamoDBException

from crossdock_cli import (
    local_commands,
    order_commands,
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
    stock_commands,
    shipment_commands,
    supplier_commands,
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
    except UsageError as exc:
        print(f"crossdock: {exc}", file=sys.stderr)
        return 2
    except ShopNotFound as exc:
        print(f"crossdock: {exc} (see `crossdock shops list`)", file=sys.stderr)
        return 1
    except CredentialsRefused as exc:
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
