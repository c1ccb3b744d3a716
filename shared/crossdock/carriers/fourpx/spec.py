"""4PX as crossdock registers it: name, rates, endpoints, batch size. The implementation
(`source.py`, `wire.py`) loads only when a worker builds a source, so a planner that needs a batch
size never loads it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossdock.core.ratelimit import Rate
from crossdock.tracking.ports import SourceSpec

if TYPE_CHECKING:
    from crossdock.carriers.fourpx.source import FourPxSource
    from crossdock.tracking.ports import SourceContext

CHANNEL = "4px"
DEFAULT_API = "https://open.4px.com"
METHOD = "tr.order.tracking.get"


def minimum_calls(numbers: int) -> int:
    return max(0, numbers)


def _build(context: SourceContext) -> FourPxSource:
    from crossdock.carriers.fourpx.source import FourPxSource

    return FourPxSource(context)


SPEC = SourceSpec(
    name=CHANNEL,
    display="4PX",
    max_batch=1,
    rates={METHOD: Rate(5, 5)},  # UNCONFIRMED: 4PX publishes no limit
    endpoints={"api": DEFAULT_API},
    credential_fields=("app_key", "app_secret"),  # plus "access_token" for OAuth-authorised providers
    build=_build,
    minimum_calls=minimum_calls,
)
