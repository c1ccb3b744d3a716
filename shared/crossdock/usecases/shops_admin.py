"""Operator actions on shops: register (credentials → Secrets Manager), list, resume, status."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crossdock import aws
from crossdock.adapters.registry import channel
from crossdock.config import Settings
from crossdock.storage.models import ShopModel
from crossdock.storage.shops import ShopRepository


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
    """Store the credentials as the shop's secret (create or new version) and create the shop."""
    spec = channel(channel_name)
    missing = [f for f in spec.credential_fields if not credentials.get(f)]
    if missing:
        raise ValueError(f"{channel_name} credentials need: {', '.join(missing)}")
    unknown = sorted(set(endpoints or {}) - set(spec.endpoints))
    if unknown:
        raise ValueError(
            f"unknown endpoint name(s) {unknown} for {channel_name}; known: {sorted(spec.endpoints)}"
        )
    secret_name = f"{settings.secrets_prefix}{shop_id}"
    sm = aws.client("secretsmanager")
    payload = json.dumps(credentials, ensure_ascii=False)
    try:
        sm.create_secret(Name=secret_name, SecretString=payload, Description=f"crossdock shop {shop_id}")
    except sm.exceptions.ResourceExistsException:
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
    ShopRepository().create(shop)
    return shop


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


def shop_statuses(now: datetime) -> list[ShopStatus]:
    rows = []
    for shop in sorted(ShopRepository().all(), key=lambda s: s.shop_id):
        if not shop.enabled:
            state = "disabled"
        elif shop.auth_blocked_at:
            state = "auth_blocked"
        elif shop.breaker_open_since:
            state = "degraded"
        elif shop.failing_since:
            state = "failing"
        elif shop.checkpoint is None:
            state = "new"
        else:
            state = "ok"
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
