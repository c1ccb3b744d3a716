"""17TRACK as crossdock registers it: name, rates, endpoints, batch size. The implementation
(`source.py`, `wire.py`) loads only when a worker builds a source."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from crossdock.core.ratelimit import Rate
from crossdock.tracking.ports import SourceSpec

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from crossdock.carriers.seventeen_track.push import SeventeenTrackPush
    from crossdock.carriers.seventeen_track.source import SeventeenTrackSource
    from crossdock.tracking.ports import SourceContext

CHANNEL = "17track"
DEFAULT_API = "https://api.17track.net"
MAX_NUMBERS = 40  # per register and per gettrackinfo call (-18010014 beyond)
REGISTER = "register"
TRACK = "gettrackinfo"


def _build(context: SourceContext) -> SeventeenTrackSource:
    from crossdock.carriers.seventeen_track.source import SeventeenTrackSource

    return SeventeenTrackSource(context)


def _push(credentials: Callable[[], Mapping[str, Any]]) -> SeventeenTrackPush:
    from crossdock.carriers.seventeen_track.push import SeventeenTrackPush

    return SeventeenTrackPush(credentials)


SPEC = SourceSpec(
    name=CHANNEL,
    display="17TRACK",
    max_batch=MAX_NUMBERS,
    rates={TRACK: Rate(3.0, 3.0), REGISTER: Rate(3.0, 3.0)},  # one bucket in use: see _share_bucket
    endpoints={"api": DEFAULT_API},
    credential_fields=("api_key",),
    build=_build,
    minimum_calls=lambda n: math.ceil(n / MAX_NUMBERS),
    registers=True,
    push=_push,
)
