"""Builds a shop's order source: credentials + endpoints + paced HTTP client + channel adapter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crossdock import credentials
from crossdock.adapters.http import ChannelHttp
from crossdock.adapters.ports import OrderSource, ShopContext
from crossdock.adapters.registry import channel
from crossdock.config import Settings
from crossdock.domain.windows import ChannelLimits


class ChannelSources:
    def __init__(
        self,
        settings: Settings,
        *,
        read_secret: Callable[..., dict[str, Any]] = credentials.read,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.settings = settings
        self.read_secret = read_secret
        self.sleep = sleep

    def limits(self, shop: Any) -> ChannelLimits:
        return channel(shop.channel).limits

    def open(
        self, shop: Any, *, refresh_credentials: bool = False, budget: Callable[[], float] | None = None
    ) -> tuple[OrderSource, ChannelHttp]:
        spec = channel(shop.channel)
        secret = self.read_secret(shop.secret_name, refresh=refresh_credentials)
        missing = [f for f in spec.credential_fields if not secret.get(f)]
        if missing:
            raise ValueError(f"secret {shop.secret_name} lacks {', '.join(missing)} for {spec.name}")
        kwargs: dict[str, Any] = {
            "rate_scale": self.settings.rate_scale,
            "bucket_state": shop.bucket_state or {},
        }
        if budget is not None:
            kwargs["budget"] = budget
        if self.sleep is not None:
            kwargs["sleep"] = self.sleep
        http = ChannelHttp(spec.name, spec.rates, **kwargs)
        context = ShopContext(
            shop_id=shop.shop_id,
            credentials=secret,
            http=http,
            endpoints=shop.endpoints or {},
            settings=shop.options or {},
        )
        return spec.build(context), http
