"""Operator changes to a registered shop: update its name, options and endpoints, disable or enable
it, and remove it with its secret.

An update is checked as `register_shop` checks an add (the channel's endpoint names, http(s) URLs,
the `time_zone` option) before its one write, so a refused update changes nothing. A disabled shop
keeps everything; the planners skip it and a pull already queued for it does nothing
(`orders.usecases.plan`, `pull`).
Removing deletes the registry item and the secret, never the shop's orders: the orders job purges
those when asked (`orders.usecases.purge`; this job imports no other job).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError
from pynamodb.expressions.update import Action

from crossdock.channels.registry import channel
from crossdock.channels.zones import check_zone_option
from crossdock.core import aws
from crossdock.shops.storage.shops import ShopNotFound, ShopRepository
from crossdock.shops.storage.tables import ShopModel
from crossdock.shops.usecases.admin import check_endpoints


class ShopBusy(RuntimeError):
    """A worker holds the shop's pull lease: removing it now would race the running pull."""


def merged(
    current: Mapping[str, Any], put: Mapping[str, Any], drop: Iterable[str], what: str
) -> dict[str, Any]:
    """`current` with `put` set and `drop` removed. Dropping a name that is not set, or setting and
    dropping the same name, is a mistake worth naming rather than a silent no-op."""
    drop = list(drop)
    both = sorted(set(put) & set(drop))
    if both:
        raise ValueError(f"{what} {', '.join(both)}: both set and unset in one update")
    absent = sorted(set(drop) - set(current))
    if absent:
        raise ValueError(f"no {what} {', '.join(absent)} to unset; set: {sorted(current) or 'none'}")
    result = {name: value for name, value in current.items() if name not in drop}
    result.update(put)
    return result


@dataclass(frozen=True)
class ShopUpdate:
    """What an operator asked to change; None / empty leaves a field as it is."""

    display_name: str | None = None
    options: Mapping[str, Any] | None = None
    unset_options: tuple[str, ...] = ()
    endpoints: Mapping[str, str] | None = None
    unset_endpoints: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.display_name is not None
            or self.options
            or self.unset_options
            or self.endpoints
            or self.unset_endpoints
        )


def update_shop(shop_id: str, change: ShopUpdate) -> ShopModel:
    """Apply `change` in one conditional write, after every check passed; returns the shop as stored."""
    if change.empty:
        raise ValueError(
            "nothing to update: give --name, --option, --unset-option, --endpoint or --unset-endpoint"
        )
    shop = ShopRepository().get(shop_id)
    spec = channel(shop.channel)
    options = merged(shop.options or {}, change.options or {}, change.unset_options, "option")
    endpoints = merged(shop.endpoints or {}, change.endpoints or {}, change.unset_endpoints, "endpoint")
    check_endpoints(spec, endpoints)
    check_zone_option(options)
    actions: list[Action] = [ShopModel.options.set(options), ShopModel.endpoints.set(endpoints)]
    if change.display_name is not None:
        actions.append(ShopModel.display_name.set(change.display_name or shop_id))
    _update_existing(shop, actions)
    return ShopRepository().get(shop_id)


def set_enabled(shop_id: str, enabled: bool) -> bool:
    """Enable or disable a shop; True if that changed anything."""
    shop = ShopRepository().get(shop_id)
    if bool(shop.enabled) == enabled:
        return False
    _update_existing(shop, [ShopModel.enabled.set(enabled)])
    return True


def check_idle(shop_id: str, now: datetime) -> ShopModel:
    """The shop, unless a worker's pull lease on it is still live (then `ShopBusy`)."""
    shop = ShopRepository().get(shop_id)
    if shop.lease_until is not None and shop.lease_until >= now:
        raise ShopBusy(
            f"shop {shop_id} is being pulled right now (lease held by {shop.lease_owner} until "
            f"{shop.lease_until:%Y-%m-%d %H:%M:%S} UTC); it is disabled, so no new pull starts: "
            "run the remove again after that"
        )
    return shop


def remove_shop(shop_id: str, now: datetime) -> ShopModel:
    """Delete the shop (only while no pull holds its lease) and then its secret, at once and without
    a recovery window so the id can be registered again. The shop goes first: a secret left by a
    failure here is taken over by the next `register_shop` of that id, never used by a pull."""
    shop = check_idle(shop_id, now)
    try:
        shop.delete(
            condition=ShopModel.shop_id.exists()
            & (ShopModel.lease_until.does_not_exist() | (ShopModel.lease_until < now))
        )
    except DeleteError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            check_idle(shop_id, now)  # names the lease, or ShopNotFound if it went meanwhile
        raise
    sm = aws.client("secretsmanager")
    with suppress(sm.exceptions.ResourceNotFoundException):  # already gone: what we wanted
        sm.delete_secret(SecretId=shop.secret_name, ForceDeleteWithoutRecovery=True)
    return shop


def _update_existing(shop: ShopModel, actions: list[Action]) -> None:
    try:
        shop.update(actions=actions, condition=ShopModel.shop_id.exists())
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            raise ShopNotFound(f"no shop {shop.shop_id!r}") from None
        raise
