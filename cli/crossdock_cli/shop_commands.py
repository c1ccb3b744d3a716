"""`crossdock shops …`: register, update, rotate, disable, enable, remove, list and resume the shops
whose orders crossdock pulls, and subscribe them to their channel's order notices."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from crossdock.orders.usecases.purge import count_orders, purge_orders
from crossdock.orders.usecases.subscribe import subscribe, unsubscribe
from crossdock.shops.storage.shops import ShopRepository
from crossdock.shops.storage.tables import ShopModel
from crossdock.shops.usecases.admin import register_shop, resume_shop, rotate_credentials, shop_state
from crossdock.shops.usecases.changes import (
    ShopBusy,
    ShopUpdate,
    check_idle,
    remove_shop,
    set_enabled,
    update_shop,
)

from crossdock_cli import arguments
from crossdock_cli.confirm import confirmed
from crossdock_cli.output import Output
from crossdock_cli.parsing import command, group
from crossdock_cli.session import configured

RESUMED = "authorization block cleared; the next scheduled pull reads everything since its checkpoint"


def shops_add(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
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
    out.line(
        f"shop {shop.shop_id} ({shop.channel}) registered; credentials stored in secret {shop.secret_name}"
    )
    out.line(
        f"its first pull backfills; run `crossdock orders pull --shop {shop.shop_id} --now` "
        "to start it without waiting for the schedule"
    )
    return 0


def shops_update(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    change = ShopUpdate(
        display_name=args.name,
        options=arguments.pairs(args.option, "--option"),
        unset_options=tuple(args.unset_option or ()),
        endpoints=arguments.endpoints(args.endpoint),
        unset_endpoints=tuple(args.unset_endpoint or ()),
    )
    configured()
    shop = update_shop(args.shop, change)
    out.line(
        f"shop {shop.shop_id} updated: name {shop.display_name!r} · options {_names(shop.options)} · "
        f"endpoints {_names(shop.endpoints)}"
    )
    return 0


def shops_rotate(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    current = configured()
    credentials = arguments.credentials(args.credentials)  # read before any call: a bad file changes nothing
    rotation = rotate_credentials(current, args.shop, credentials)
    out.line(
        f"shop {args.shop}: {rotation.shop.channel} accepted the new credentials; "
        f"secret {rotation.shop.secret_name} now holds them"
    )
    if rotation.resumed:
        out.line(f"shop {args.shop}: {RESUMED}")
    return 0


def shops_enable(args: argparse.Namespace) -> int:
    return _switch(args, enabled=True)


def shops_disable(args: argparse.Namespace) -> int:
    return _switch(args, enabled=False)


def _switch(args: argparse.Namespace, *, enabled: bool) -> int:
    out = Output.from_args(args)
    configured()
    changed = set_enabled(args.shop, enabled)
    word = "enabled" if enabled else "disabled"
    if not changed:
        out.line(f"shop {args.shop} was already {word}; nothing changed")
    elif enabled:
        out.line(f"shop {args.shop} enabled: the next planner run (every 5 minutes) pulls it again")
    else:
        out.line(f"shop {args.shop} disabled: not pulled until `crossdock shops enable {args.shop}`")
    return 0


def shops_remove(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    current = configured()
    shop = ShopRepository().get(args.shop)
    stored = count_orders(shop.channel, shop.shop_id)
    fate = (
        f"and delete its {stored} stored orders" if args.purge else f"(its {stored} stored orders are kept)"
    )
    question = f"remove shop {shop.shop_id} ({shop.channel}) and its secret {shop.secret_name} {fate}?"
    if not confirmed(question, yes=args.yes):
        out.line("nothing was changed")
        return 1
    now = datetime.now(UTC)
    set_enabled(shop.shop_id, False)  # no new pull starts while it goes
    if shop.push_key:  # the channel must stop notifying a shop crossdock no longer knows
        unsubscribe(current, shop.shop_id)
        out.line(f"shop {shop.shop_id} unsubscribed from {shop.channel}'s order notices")
    try:
        check_idle(shop.shop_id, now)
        purged = purge_orders(shop.channel, shop.shop_id) if args.purge else 0
        remove_shop(shop.shop_id, now)
    except ShopBusy as exc:
        print(f"crossdock: {exc}", file=sys.stderr)
        return 1
    out.line(f"shop {shop.shop_id} removed; secret {shop.secret_name} deleted")
    if args.purge:
        out.line(f"{purged} stored orders of {shop.shop_id} deleted")
    else:
        out.line(f"its {stored} stored orders are kept: `crossdock orders list --shop {shop.shop_id}`")
    return 0


def shops_subscribe(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    done = subscribe(configured(), args.shop, datetime.now(UTC))
    ids = ", ".join(
        f"{k}={v}" for k, v in sorted(done.record.items()) if k.endswith("_id") or k == "subscriptions"
    )
    out.json(
        {"shop": done.shop_id, "channel": done.channel, "push_key": done.push_key, "record": done.record}
    )
    out.line(
        f"shop {done.shop_id} subscribed: {done.channel} now notifies its order changes to {done.destination}"
    )
    out.line(f"created at {done.channel}: {ids}")
    out.line(
        "the 5-minute pull and the daily reconciliation keep running: notices make changes arrive sooner"
    )
    return 0


def shops_unsubscribe(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    if unsubscribe(configured(), args.shop):
        out.line(f"shop {args.shop} unsubscribed: its orders arrive by the 5-minute pull only")
    else:
        out.line(f"shop {args.shop} was not subscribed; nothing changed")
    return 0


def shops_list(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    configured()
    shops = sorted(ShopRepository().all(), key=lambda s: s.shop_id)
    out.json({"shops": [_shop_json(s) for s in shops]})
    rows = [
        [
            s.shop_id,
            s.channel,
            s.display_name,
            "yes" if s.enabled else "no",
            shop_state(s),
            _notices(s, out),
            ", ".join(sorted(s.endpoints or {})) or "production",
        ]
        for s in shops
    ]
    out.table(
        ["SHOP", "CHANNEL", "NAME", "ENABLED", "STATE", "NOTICES", "ENDPOINTS"],
        rows,
        empty="no shops registered yet",
    )
    return 0


def shops_resume(args: argparse.Namespace) -> int:
    out = Output.from_args(args)
    configured()
    resume_shop(args.shop)
    out.line(f"shop {args.shop}: {RESUMED}")
    return 0


def _notices(shop: ShopModel, out: Output) -> str:
    """ "pull only", or "subscribed" with how many notices were taken and the last one's time."""
    if not shop.push_key:
        return "pull only"
    taken = int(shop.notices or 0)
    last = f", last {out.when(shop.last_notice_at)}" if shop.last_notice_at else ""
    return f"subscribed ({taken} taken{last})"


def _shop_json(shop: ShopModel) -> dict[str, Any]:
    return {
        "shop": shop.shop_id,
        "channel": shop.channel,
        "name": shop.display_name,
        "enabled": bool(shop.enabled),
        "state": shop_state(shop),
        "endpoints": dict(shop.endpoints or {}),
        "subscribed": bool(shop.push_key),
        "notices": int(shop.notices or 0),
        "last_notice_at": shop.last_notice_at.isoformat() if shop.last_notice_at else None,
    }


def _names(values: dict[str, Any] | None) -> str:
    return ", ".join(sorted(values or {})) or "none"


def register(sub: Any) -> None:
    """The `shops` command group."""
    shops = group(
        sub,
        "shops",
        help="register, update, rotate, disable, enable, remove, list, resume and subscribe shops",
    )
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

    update = command(
        shops,
        "update",
        help="change a shop's name, options or endpoints (checked as add checks them)",
        run=shops_update,
    )
    update.add_argument("shop")
    update.add_argument("--name", help="new display name")
    update.add_argument(
        "--option", action="append", metavar="k=v", help="set a channel option (JSON values allowed)"
    )
    update.add_argument("--unset-option", action="append", metavar="k", help="remove a channel option")
    update.add_argument("--endpoint", action="append", metavar="name=url", help="set an endpoint override")
    update.add_argument(
        "--unset-endpoint", action="append", metavar="name", help="back to the production endpoint"
    )

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
    for name, run, text in (
        ("disable", shops_disable, "stop pulling a shop (everything it has is kept)"),
        ("enable", shops_enable, "pull a disabled shop again"),
    ):
        command(shops, name, help=text, run=run).add_argument("shop")
    remove = command(
        shops,
        "remove",
        help="remove a shop and its secret; its stored orders are kept unless --purge",
        run=shops_remove,
    )
    remove.add_argument("shop")
    remove.add_argument("--purge", action="store_true", help="also delete the shop's stored orders")
    remove.add_argument("--yes", action="store_true", help="do not ask for confirmation (scripts)")
    subscribe_cmd = command(
        shops,
        "subscribe",
        help="have the shop's channel notify its order changes (Amazon, Shopify); the pull stays",
        run=shops_subscribe,
    )
    subscribe_cmd.add_argument("shop")
    unsubscribe_cmd = command(
        shops,
        "unsubscribe",
        help="stop the shop's order notices (the pull alone reads it)",
        run=shops_unsubscribe,
    )
    unsubscribe_cmd.add_argument("shop")
    command(shops, "list", help="every registered shop", run=shops_list, reads=True)
    resume = command(
        shops, "resume", help="clear an auth block once the credentials are fixed", run=shops_resume
    )
    resume.add_argument("shop")
