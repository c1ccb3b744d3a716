"""Yanwen as crossdock registers it: name, rates, endpoints, batch size. The implementation
(`source.py`, `wire.py`) loads only when a worker builds a source."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from crossdock.core.ratelimit import Rate
from crossdock.tracking.ports import SourceSpec

if TYPE_CHECKING:
    from crossdock.carriers.yanwen.source import YanwenSource
    from crossdock.tracking.ports import SourceContext

SOURCE = "yanwen"
DEFAULT_API = "http://api.track.yw56.com.cn"
OPERATION = "tracking"
MAX_NUMBERS = 30
RATES = {OPERATION: Rate(5, 5)}  # UNCONFIRMED: Yanwen publishes no limit


def _build(context: SourceContext) -> YanwenSource:
    from crossdock.carriers.yanwen.source import YanwenSource

    return YanwenSource(context)


SPEC = SourceSpec(
    name=SOURCE,
    display="Yanwen",
    max_batch=MAX_NUMBERS,
    rates=RATES,
    endpoints={"api": DEFAULT_API},
    credential_fields=("authorization",),
    build=_build,
    minimum_calls=lambda numbers: math.ceil(numbers / MAX_NUMBERS),
)
