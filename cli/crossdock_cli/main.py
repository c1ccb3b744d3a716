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

from crossdock_cli import commands, shipment_commands, stock_commands, supplier_commands
from crossdock_cli.arguments import UsageError

FAULT_PROFILES = ("none", "realistic", "hostile")


def _parser() -> argparse.ArgumentParser:
    summary, _, details = (__doc__ or "").partition("\n\n")
    parser = argparse.ArgumentParser(
        prog="crossdock",
        description=summary,
        epilog=details,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    local = sub.add_parser(
        "local", help="run the whole order pull locally: moto, channel sandboxes, five shops"
    )
    local.add_argument("--cycles", type=int, default=6, help="planner cycles to run (at least 3; default 6)")
    local.add_argument("--faults", choices=FAULT_PROFILES, default="realistic", help="channel fault profile")
    local.add_argument("--seed", type=int, default=7, help="same seed, same books, changes and faults")
    local.add_argument("--outbox", default="outbox", help="folder for the alert e-mails (default ./outbox)")
    local.add_argument(
        "--rate-scale",
        type=float,
        default=200.0,
        help="run the channels' documented rate limits this many times faster (default 200)",
    )
    local.add_argument("--orders", type=int, help="history size of every shop (default: the catalogue's)")
    local.set_defaults(run=commands.local)

    shops = sub.add_parser("shops", help="register, rotate, list and resume shops").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add = shops.add_parser("add", help="register a shop; its credentials go to Secrets Manager")
    add.add_argument(
        "--shop", required=True, help="shop id, e.g. taobao-cn: 1-64 letters, digits, '.', '_', '-'"
    )
    add.add_argument("--channel", required=True, help="taobao | amazon | shopify | ebay")
    add.add_argument(
        "--credentials", required=True, metavar="FILE|-", help="the secret's JSON (- reads stdin)"
    )
    add.add_argument("--option", action="append", metavar="k=v", help="channel option (JSON values allowed)")
    add.add_argument("--endpoint", action="append", metavar="name=url", help="endpoint override, e.g. api=…")
    add.add_argument("--name", help="display name")
    add.set_defaults(run=commands.shops_add)
    rotate = shops.add_parser(
        "rotate", help="replace a shop's credentials, after the channel accepted them in one cheap call"
    )
    rotate.add_argument("shop")
    rotate.add_argument(
        "--credentials", required=True, metavar="FILE|-", help="the new secret's JSON (- reads stdin)"
    )
    rotate.set_defaults(run=commands.shops_rotate)
    shops.add_parser("list", help="every registered shop").set_defaults(run=commands.shops_list)
    resume = shops.add_parser("resume", help="clear an auth block once the credentials are fixed")
    resume.add_argument("shop")
    resume.set_defaults(run=commands.shops_resume)

    orders = sub.add_parser("orders", help="manual order pulls").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    pull = orders.add_parser("pull", help="queue a pull of one shop (or run it here with --now)")
    pull.add_argument("--shop", required=True)
    pull.add_argument("--since", help="read this range instead of from the checkpoint (ISO 8601 with zone)")
    pull.add_argument("--until", help="end of the range (default: now minus the channel's settle lag)")
    pull.add_argument("--now", action="store_true", help="pull in this process instead of queueing a task")
    pull.add_argument("--json", action="store_true", help="also print the run's figures as JSON")
    pull.set_defaults(run=commands.orders_pull)

    status = sub.add_parser("status", help="per shop: state, checkpoint, lag, last run and error")
    status.add_argument("--json", action="store_true")
    status.set_defaults(run=commands.status)
    stock_commands.register(sub)
    shipment_commands.register(sub)
    supplier_commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
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
