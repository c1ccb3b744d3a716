"""Opens a shop's channel: its credentials (Secrets Manager), endpoints, options and a paced HTTP client
in one `ShopContext`, and the channel's registration. The jobs build their own ports from it
(`orders.sources`, `stock.writers`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crossdock.channels.registry import channel
from crossdock.channels.spec import ChannelSpec, ShopContext
from crossdock.core import credentials
from crossdock.core.http import ChannelHttp

if TYPE_CHECKING:
    from crossdock.core.config import Settings


class ShopChannels:
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

    def spec(self, shop: Any) -> ChannelSpec:
        return channel(shop.channel)

    def context(
        self, shop: Any, *, refresh_credentials: bool = False, budget: Callable[[], float] | None = None
    ) -> ShopContext:
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
        return ShopContext(
            shop_id=shop.shop_id,
            credentials=secret,
            http=http,
            endpoints=shop.endpoints or {},
            settings=shop.options or {},
        )
