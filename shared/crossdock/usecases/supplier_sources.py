"""Builds supplier platform readers: the platform's secret (credentials + endpoint overrides) and
a paced client, once per invocation so the platform's bucket spans the whole batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crossdock import credentials
from crossdock.adapters.http import CallStats, ChannelHttp, RetryPolicy
from crossdock.adapters.supplier.ports import SupplierContext, SupplierSource
from crossdock.adapters.supplier.registry import supplier
from crossdock.config import Settings

TRANSPORT_RETRY = RetryPolicy(max_attempts=3, base_delay_s=0.5, max_delay_s=10.0)


class SupplierSources:
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
        self._open: dict[str, tuple[SupplierSource, ChannelHttp]] = {}

    def secret_name(self, platform: str) -> str:
        return f"{self.settings.supplier_secrets_prefix}{platform}"

    def open(self, platform: str) -> SupplierSource:
        if platform not in self._open:
            spec = supplier(platform)
            secret = self.read_secret(self.secret_name(platform))
            missing = [f for f in spec.credential_fields if not secret.get(f)]
            if missing:
                raise ValueError(
                    f"secret {self.secret_name(platform)} lacks {', '.join(missing)} for {spec.display}"
                )
            share = (
                self.settings.rate_scale / self.settings.worker_concurrency
            )  # concurrent workers split the rate
            kwargs: dict[str, Any] = {"rate_scale": share, "retry": TRANSPORT_RETRY}
            if self.sleep is not None:
                kwargs["sleep"] = self.sleep
            http = ChannelHttp(spec.name, spec.rates, **kwargs)
            context = SupplierContext(credentials=secret, http=http, endpoints=secret.get("endpoints") or {})
            self._open[platform] = (spec.build(context), http)
        return self._open[platform][0]

    def stats(self, platform: str) -> CallStats:
        opened = self._open.get(platform)
        return opened[1].stats if opened else CallStats()
