"""`crossdock shops …`: register, rotate, list and resume the shops whose orders crossdock pulls."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from crossdock.shops.storage.shops import ShopRepository
from crossdock.shops.usecases.admin import register_shop, resume_shop, rotate_credentials

from crossdock_cli import arguments
from crossdock_cli.parsing import command, group
from crossdock_cli.session import configured
from crossdock_cli.table import print_table


def shops_add(args: argparse.Namespace) -> int:
    current = configured()
    shop = register_shop(
        current,
        shop_id=args.shop,
        channel_name=args.channel,
        credentials=arguments.credentials(args.credentials),
        options=arguments.pairs(args.option, "--option"),
        endpoints=arguments.endpoints(args.endpoint),
        display_name=args.name or "",
        now=datetime.now(UTC),
    )
    print(f"shop {shop.shop_id} ({shop.channel}) registered; credentials stored in secret {shop.secret_name}")
    print(
        "its first pull backfills; run `crossdock orders pull --shop "
        f"{shop.shop_id} --now` to start it without waiting for the schedule"
    )
    return 0


def shops_rotate(args: argparse.Namespace) -> int:
    current = configured()
    credentials = arguments.credentials(args.credentials)  # read before any call: a bad file changes nothing
    rotation = rotate_credentials(current, args.shop, credentials)
    print(
        f"shop {args.shop}: {rotation.shop.channel} accepted the new credentials; "
        f"secret {rotation.shop.secret_name} now holds them"
    )
    if rotation.resumed:
        print(
            f"shop {args.shop}: authorization block cleared; the next scheduled pull reads everything since "
            "its checkpoint"
        )
    return 0


def shops_list(args: argparse.Namespace) -> int:
    configured()
    shops = sorted(ShopRepository().all(), key=lambda s: s.shop_id)
    rows = [
        [
            s.shop_id,
            s.channel,
            s.display_name,
            "yes" if s.enabled else "no",
            ", ".join(sorted(s.endpoints or {})) or "production",
        ]
        for s in shops
    ]
    print_table(["SHOP", "CHANNEL", "NAME", "ENABLED", "ENDPOINTS"], rows, empty="no shops registered yet")
    return 0


def shops_resume(args: argparse.Namespace) -> int:
    configured()
    resume_shop(args.shop)
    print(
        f"shop {args.shop}: authorization block cleared; the next scheduled pull reads everything since "
        "its checkpoint"
    )
    return 0


def register(sub: Any) -> None:
    """The `shops` command group."""
    shops = group(sub, "shops", help="register, rotate, list and resume shops")
    add = command(shops, "add", help="register a shop; its credentials go to Secrets Manager", run=shops_add)
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
    rotate = command(
        shops,
        "rotate",
        help="replace a shop's credentials, after the channel accepted them in one cheap call",
        run=shops_rotate,
    )
    rotate.add_argument("shop")
    rotate.add_argument(
        "--credentials", required=True, metavar="FILE|-", help="the new secret's JSON (- reads stdin)"
    )
    command(shops, "list", help="every registered shop", run=shops_list, reads=True)
    resume = command(
        shops, "resume", help="clear an auth block once the credentials are fixed", run=shops_resume
    )
    resume.add_argument("shop")
