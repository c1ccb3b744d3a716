"""Operator actions on shops: register (credentials → Secrets Manager), rotate, list, resume, status.

Nothing live is touched by a refused action: `register_shop` checks everything (id, channel,
credential fields, endpoints, the `time_zone` option, that the id is free) before its first write,
and `rotate_credentials` proves the new credentials with the channel's cheapest authenticated call
(`ChannelSpec.probe`) before they replace the shop's secret.

Shop ids: `SHOP_ID` — a letter or digit, then letters, digits, `.`, `_`, `-`, at most 64 in all.
Conservative on purpose: the id is part of the secret's name (Secrets Manager allows letters,
digits and /_+=.@- up to 512 characters) and the shops table's key (DynamoDB: up to 2048 bytes),
and it appears in alert subjects, file names and CLI tables.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crossdock.channels.registry import channel
from crossdock.channels.zones import check_zone_option
from crossdock.core import aws
from crossdock.core.errors import ChannelError
from crossdock.shops.storage.shops import ShopNotFound, ShopRepository
from crossdock.shops.storage.tables import ShopModel
from crossdock.shops.usecases.sources import ShopChannels

if TYPE_CHECKING:
    from crossdock.channels.spec import ChannelSpec
    from crossdock.core.config import Settings

SHOP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class CredentialsRefused(RuntimeError):
    """The channel refused the new credentials (or could not be asked): nothing was changed."""


def check_shop_id(shop_id: str) -> None:
    if not SHOP_ID.fullmatch(shop_id):
        raise ValueError(
            f"shop id {shop_id!r} is not allowed: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )


def _check_credentials_fields(spec: ChannelSpec, credentials: dict[str, Any]) -> None:
    missing = [f for f in spec.credential_fields if not credentials.get(f)]
    if missing:
        raise ValueError(f"{spec.name} credentials need: {', '.join(missing)}")


def check_endpoints(spec: ChannelSpec, endpoints: Mapping[str, str]) -> None:
    """Only the endpoint names the channel knows (`ChannelSpec.endpoints`), each an http(s) URL."""
    unknown = sorted(set(endpoints) - set(spec.endpoints))
    if unknown:
        raise ValueError(
            f"unknown endpoint name(s) {unknown} for {spec.name}; known: {sorted(spec.endpoints)}"
        )
    for name, url in endpoints.items():
        if not str(url).startswith(("http://", "https://")):
            raise ValueError(f"endpoint {name}: {url!r} is not an http(s) URL")


def register_shop(
    settings: Settings,
    *,
    shop_id: str,
    channel_name: str,
    credentials: dict[str, Any],
    options: dict[str, Any] | None = None,
    endpoints: dict[str, str] | None = None,
    display_name: str = "",
    now: datetime,
) -> ShopModel:
    """Store the credentials as the shop's secret and create the shop, after every check passed.
    An existing shop id changes nothing: its credentials are replaced only by `rotate_credentials`."""
    check_shop_id(shop_id)
    spec = channel(channel_name)
    _check_credentials_fields(spec, credentials)
    check_endpoints(spec, endpoints or {})
    check_zone_option(options or {})  # `time_zone`: an IANA name, or refused before any write
    shops = ShopRepository()
    _refuse_existing(shops, shop_id)
    secret_name = f"{settings.secrets_prefix}{shop_id}"
    sm = aws.client("secretsmanager")
    payload = json.dumps(credentials, ensure_ascii=False)
    try:
        sm.create_secret(Name=secret_name, SecretString=payload, Description=f"crossdock shop {shop_id}")
    except sm.exceptions.ResourceExistsException:
        # Left by an earlier add that failed before its shop was created (the shop would hold it).
        _refuse_existing(shops, shop_id)
        sm.put_secret_value(SecretId=secret_name, SecretString=payload)
    shop = ShopModel(
        shop_id,
        channel=channel_name,
        display_name=display_name or shop_id,
        secret_name=secret_name,
        options=options or {},
        endpoints=endpoints or {},
        created_at=now,
    )
    shops.create(shop)
    return shop


def _refuse_existing(shops: ShopRepository, shop_id: str) -> None:
    try:
        shops.get(shop_id)
    except ShopNotFound:
        return
    raise ValueError(
        f"shop {shop_id!r} already exists; nothing was changed (new credentials: "
        f"`crossdock shops rotate {shop_id} --credentials FILE`)"
    )


@dataclass(frozen=True)
class Rotation:
    shop: ShopModel
    resumed: bool  # the shop was blocked on its old credentials and is unblocked now


def rotate_credentials(settings: Settings, shop_id: str, credentials: dict[str, Any]) -> Rotation:
    """Replace a shop's credentials once the channel accepted them in one cheap authenticated call.
    Refused (missing fields, the channel says no, the channel cannot be reached): nothing changes.
    Accepted: a new version of the secret, and an authorization block, if any, is cleared."""
    shop = ShopRepository().get(shop_id)
    spec = channel(shop.channel)
    _check_credentials_fields(spec, credentials)
    probe_credentials(settings, shop, credentials)
    aws.client("secretsmanager").put_secret_value(
        SecretId=shop.secret_name, SecretString=json.dumps(credentials, ensure_ascii=False)
    )
    resumed = shop.auth_blocked_at is not None
    if resumed:
        resume_shop(shop_id)
    return Rotation(shop, resumed)


def probe_credentials(settings: Settings, shop: Any, credentials: dict[str, Any]) -> None:
    """The channel's probe with `credentials` instead of the stored secret (the shop's endpoints and
    options as they are)."""
    sources = ShopChannels(settings, read_secret=lambda *_args, **_kwargs: dict(credentials))
    try:
        channel(shop.channel).probe(sources.context(shop))
    except ChannelError as exc:
        raise CredentialsRefused(
            f"{shop.channel} did not accept the new credentials of {shop.shop_id} ({exc}); nothing was changed"
        ) from exc


def resume_shop(shop_id: str) -> None:
    """Clear an auth block after the credentials were fixed."""
    shop = ShopRepository().get(shop_id)
    shop.update(actions=[ShopModel.auth_blocked_at.remove(), ShopModel.auth_error.remove()])


@dataclass(frozen=True)
class ShopStatus:
    shop_id: str
    channel: str
    checkpoint: datetime | None
    lag_seconds: float | None
    state: str  # ok | degraded | auth_blocked | failing | disabled | new
    last_error: str | None
    last_run: dict[str, Any]
    totals: dict[str, Any]


def shop_state(shop: ShopModel) -> str:
    """ok | degraded | auth_blocked | failing | disabled | new (the first that applies, in this order:
    disabled, auth_blocked, degraded, failing, new)."""
    if not shop.enabled:
        return "disabled"
    if shop.auth_blocked_at:
        return "auth_blocked"
    if shop.breaker_open_since:
        return "degraded"
    if shop.failing_since:
        return "failing"
    if shop.checkpoint is None:
        return "new"
    return "ok"


def shop_statuses(now: datetime) -> list[ShopStatus]:
    rows = []
    for shop in sorted(ShopRepository().all(), key=lambda s: s.shop_id):
        state = shop_state(shop)
        rows.append(
            ShopStatus(
                shop_id=shop.shop_id,
                channel=shop.channel,
                checkpoint=shop.checkpoint,
                lag_seconds=(now - shop.checkpoint).total_seconds() if shop.checkpoint else None,
                state=state,
                last_error=shop.last_error,
                last_run=dict(shop.last_run or {}),
                totals=dict(shop.totals or {}),
            )
        )
    return rows
