"""Partner event buses on moto, named as AWS names them.

A partner event bus takes the name of its partner event source, `aws.partner/shopify.com/<app>/<name>`
(EventBridge user guide, "Receiving events from a SaaS partner": the bus name must match the
source's), and every EventBridge call accepts that name or the bus ARN as `EventBusName`. moto 5.2
creates such a bus but then reads any `EventBusName` as its last path segment (`crossdock-local`), so
PutRule, PutTargets and PutEvents on the bus fail with "Event bus … does not exist". `allow()` gives
moto's in-process backend AWS's reading: a name is the whole name, an ARN's name is what follows
`event-bus/`. moto runs in this process (ThreadedMotoServer or mock_aws), so this is where the fix
applies; a real account needs none.
"""

from __future__ import annotations

from typing import Any

from moto.events.models import EventsBackend

_PATCHED = "_crossdock_partner_bus_names"


def bus_name(event_bus: str | None) -> str:
    """`EventBusName` as AWS reads it: the default bus, a name (slashes included), or an ARN's name."""
    if event_bus is None:
        return "default"
    if event_bus.startswith("arn:"):
        return (
            event_bus.split(":event-bus/", 1)[1] if ":event-bus/" in event_bus else event_bus.split("/")[-1]
        )
    return event_bus


def allow() -> None:
    """Make moto's events backend read partner bus names whole (idempotent)."""
    if getattr(EventsBackend, _PATCHED, False):
        return

    def normalize(self: Any, event_bus_arn: str | None) -> str:
        return bus_name(event_bus_arn)

    EventsBackend._normalize_event_bus_arn = normalize  # type: ignore[method-assign]
    setattr(EventsBackend, _PATCHED, True)
