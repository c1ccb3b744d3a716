"""Clients of services crossdock holds one account for (tracking sources, supplier platforms):
the service's secret (credentials + endpoint overrides) + a paced client, built once per
invocation so each service keeps one token bucket across the batch.

One secret per service, `<prefix><name>`: the credential fields its spec names, and optionally
`"endpoints": {...}`. Concurrent workers split each documented rate between them.

Credentials go only to the hosts the operator chose: `store_secret` keeps the endpoints given in
the credentials JSON (the command line's `--endpoint` wins per name) and refuses names the service
does not have, and a client is never built from a secret naming an unknown endpoint — either way a
typo would otherwise send the credentials to the production host.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from crossdock.core import aws, credentials
from crossdock.core.http import CallStats, ChannelHttp, RetryPolicy
from crossdock.core.ratelimit import Rate

if TYPE_CHECKING:
    from crossdock.core.config import Settings

# Transport faults (5xx, resets, 429, failure envelopes) are retried by the client itself, three
# attempts in all; what a service's answer means is judged (and retried) by the use case.
TRANSPORT_RETRY = RetryPolicy(max_attempts=3, base_delay_s=0.5, max_delay_s=10.0)

Client = TypeVar("Client")


class ServiceSpec(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def display(self) -> str: ...
    @property
    def rates(self) -> Mapping[str, Rate]: ...
    @property
    def credential_fields(self) -> tuple[str, ...]: ...
    @property
    def endpoints(self) -> Mapping[str, str]: ...


def secret_payload(
    spec: ServiceSpec, given: Mapping[str, Any], endpoints: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The secret to store: the credentials with `"endpoints"` — the JSON's own, overridden per name
    by `endpoints` (the command line). Raises ValueError for a missing credential field, an
    endpoint name the service does not have, or an endpoint that is not an http(s) URL."""
    missing = [f for f in spec.credential_fields if not given.get(f)]
    if missing:
        raise ValueError(f"{spec.display} credentials need: {', '.join(missing)}")
    own = given.get("endpoints") or {}
    if not isinstance(own, Mapping):
        raise ValueError(f'"endpoints" in the {spec.display} credentials must be an object of name: URL')
    merged = {str(k): str(v) for k, v in {**own, **(endpoints or {})}.items()}
    check_endpoints(spec, merged)
    bad = sorted(k for k, url in merged.items() if not url.startswith(("http://", "https://")))
    if bad:
        raise ValueError(f"{spec.display} endpoint(s) {bad} are not http(s) URLs")
    return {**given, "endpoints": merged}


def check_endpoints(spec: ServiceSpec, endpoints: Mapping[str, Any], where: str = "") -> None:
    unknown = sorted(set(endpoints) - set(spec.endpoints))
    if unknown:
        raise ValueError(
            f"{where}unknown endpoint name(s) {unknown} for {spec.display}; known: {sorted(spec.endpoints)}"
        )


def store_secret(name: str, payload: Mapping[str, Any], description: str) -> None:
    sm = aws.client("secretsmanager")
    text = json.dumps(payload, ensure_ascii=False)
    try:
        sm.create_secret(Name=name, SecretString=text, Description=description)
    except sm.exceptions.ResourceExistsException:
        sm.put_secret_value(SecretId=name, SecretString=text)


class SecretClients(ABC, Generic[Client]):
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
        self._open: dict[str, tuple[Client, ChannelHttp]] = {}

    @abstractmethod
    def prefix(self) -> str:
        """The secrets' name prefix."""

    @abstractmethod
    def spec(self, name: str) -> ServiceSpec:
        """The service's spec (raises ValueError for an unknown name)."""

    @abstractmethod
    def build(self, name: str, secret: dict[str, Any], http: ChannelHttp) -> Client:
        """The client, from its secret and paced HTTP client."""

    def secret_name(self, name: str) -> str:
        return f"{self.prefix()}{name}"

    def open(self, name: str) -> Client:
        if name not in self._open:
            spec = self.spec(name)
            secret = self.read_secret(self.secret_name(name))
            missing = [f for f in spec.credential_fields if not secret.get(f)]
            if missing:
                raise ValueError(
                    f"secret {self.secret_name(name)} lacks {', '.join(missing)} for {spec.display}"
                )
            given = secret.get("endpoints") or {}
            if not isinstance(given, Mapping):
                raise ValueError(f"secret {self.secret_name(name)}: endpoints must be an object of name: URL")
            check_endpoints(spec, given, f"secret {self.secret_name(name)}: ")
            # Concurrent workers split each rate and each burst: together they never exceed either.
            workers = self.settings.worker_concurrency
            rates = {
                op: Rate(r.per_second / workers, max(1.0, r.burst / workers)) for op, r in spec.rates.items()
            }
            kwargs: dict[str, Any] = {"rate_scale": self.settings.rate_scale, "retry": TRANSPORT_RETRY}
            if self.sleep is not None:
                kwargs["sleep"] = self.sleep
            http = ChannelHttp(spec.name, rates, **kwargs)
            self._open[name] = (self.build(name, secret, http), http)
        return self._open[name][0]

    def opened(self) -> list[str]:
        return list(self._open)

    def stats(self, name: str) -> CallStats:
        opened = self._open.get(name)
        return opened[1].stats if opened else CallStats()
