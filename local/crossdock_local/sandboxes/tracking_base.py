"""What the three tracking sandboxes share: the parcel world they serve, the credentials they
accept, their endpoint, and one server-side bucket per caller at the source's rate."""

from __future__ import annotations

from typing import ClassVar

from crossdock_local.sandboxes.base import FaultProfile, Request, Route, Sandbox, ServerRateLimiter
from crossdock_local.sandboxes.buckets import Rate
from crossdock_local.sandboxes.parcels import ParcelWorld


class TrackingSandbox(Sandbox):
    rates: ClassVar[dict[str, Rate]]  # the source's documented (or assumed) rates per bucket

    def __init__(
        self,
        world: ParcelWorld,
        credentials: dict[str, str],
        *,
        faults: FaultProfile | None,
        rate_scale: float,
    ) -> None:
        self.world = world
        self.credentials = credentials
        self.limiter = ServerRateLimiter(self.rates, rate_scale)
        super().__init__(faults=faults, rate_scale=rate_scale)

    @property
    def endpoints(self) -> dict[str, str]:
        return {"api": self.url}

    def bucket(self, route: Route) -> str:
        """The bucket a route draws from (per operation unless the source shares one)."""
        return route.operation

    def limiter_wait(self, request: Request, route: Route) -> float:
        return self.limiter.take(self.caller(request), self.bucket(route))
