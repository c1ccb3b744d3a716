"""Builds tracking sources: the source's secret (credentials + endpoint overrides) + a paced client.

One secret per source, `<carrier secrets prefix><source>` (e.g. `crossdock/carriers/17track`):
the credential fields its `SourceSpec` names, and optionally `"endpoints": {"api": "https://..."}`.
Sources are built once per invocation, so each keeps one token bucket across the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crossdock import credentials
from crossdock.adapters.http import CallStats, ChannelHttp, RetryPolicy
from crossdock.adapters.tracking.ports import SourceContext, TrackingSource
from crossdock.adapters.tracking.registry import source
from crossdock.config import Settings

# Transport faults (5xx, resets, 429, failure envelopes) are retried by the client itself, three
# attempts in all; silent answers are retried per number by the use case.
TRANSPORT_RETRY = RetryPolicy(max_attempts=3, base_delay_s=0.5, max_delay_s=10.0)


class TrackingSources:
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
        self._open: dict[str, tuple[TrackingSource, ChannelHttp]] = {}

    def secret_name(self, name: str) -> str:
        return f"{self.settings.carrier_secrets_prefix}{name}"

    def open(self, name: str) -> TrackingSource:
        if name not in self._open:
            spec = source(name)
            secret = self.read_secret(self.secret_name(name))
            missing = [f for f in spec.credential_fields if not secret.get(f)]
            if missing:
                raise ValueError(
                    f"secret {self.secret_name(name)} lacks {', '.join(missing)} for {spec.display}"
                )
            share = self.settings.rate_scale / self.settings.worker_concurrency  # the workers split each rate
            kwargs: dict[str, Any] = {"rate_scale": share, "retry": TRANSPORT_RETRY}
            if self.sleep is not None:
                kwargs["sleep"] = self.sleep
            http = ChannelHttp(spec.name, spec.rates, **kwargs)
            context = SourceContext(credentials=secret, http=http, endpoints=secret.get("endpoints") or {})
            self._open[name] = (spec.build(context), http)
        return self._open[name][0]

    def stats(self, name: str) -> CallStats:
        opened = self._open.get(name)
        return opened[1].stats if opened else CallStats()
