"""The three tracking sandboxes (4PX, Yanwen, 17TRACK) on one parcel world, connected to crossdock.

with TrackingSandboxes(rate_scale=200) as carriers:
    carriers.connect(settings)          # the three sources' secrets point at the sandboxes
    carriers.world.add(...)             # parcels and their journeys
    carriers.world.set_outage("4px", EMPTY)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

from crossdock.core.config import Settings
from crossdock.tracking.usecases.admin import connect_source

from crossdock_local.sandboxes.base import FaultProfile, fault_profile
from crossdock_local.sandboxes.fourpx.server import FourPxSandbox
from crossdock_local.sandboxes.parcels import ParcelWorld
from crossdock_local.sandboxes.seventeen_track.server import SeventeenTrackSandbox
from crossdock_local.sandboxes.yanwen.server import YanwenSandbox


class TrackingSandboxes:
    def __init__(
        self,
        *,
        rate_scale: float | Mapping[str, float] = 1.0,
        faults: str = "none",
        seed: int = 7,
        world: ParcelWorld | None = None,
    ):
        """`rate_scale`: one factor for every source, or one per source name."""
        self.world = world or ParcelWorld()

        def scale(name: str) -> float:
            return float(rate_scale) if isinstance(rate_scale, float | int) else rate_scale.get(name, 1.0)

        def profile(offset: int) -> FaultProfile:
            return fault_profile(faults, seed=seed + offset)

        self.sandboxes: dict[str, FourPxSandbox | YanwenSandbox | SeventeenTrackSandbox] = {
            "4px": FourPxSandbox(self.world, faults=profile(1), rate_scale=scale("4px")),
            "yanwen": YanwenSandbox(self.world, faults=profile(2), rate_scale=scale("yanwen")),
            "17track": SeventeenTrackSandbox(self.world, faults=profile(3), rate_scale=scale("17track")),
        }

    def start(self) -> TrackingSandboxes:
        for sandbox in self.sandboxes.values():
            sandbox.start()
        return self

    def connect(self, settings: Settings) -> None:
        for name, sandbox in self.sandboxes.items():
            connect_source(settings, name, sandbox.credentials, sandbox.endpoints)

    def stop(self) -> None:
        for sandbox in self.sandboxes.values():
            sandbox.stop()

    def __enter__(self) -> TrackingSandboxes:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
