"""What the use cases need from the outside world; tests pass fakes that satisfy these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

from crossdock.adapters.http import ChannelHttp
from crossdock.adapters.ports import OrderSource
from crossdock.alerts.message import Alert
from crossdock.domain.windows import ChannelLimits


class EventSink(Protocol):
    def publish(self, events: Sequence[dict[str, Any]]) -> int: ...


class TaskSink(Protocol):
    def enqueue(self, tasks: Sequence[dict[str, Any]], *, delay_s: int = 0) -> int: ...


class AlertSink(Protocol):
    def send(self, alert: Alert, *, now: datetime) -> bool: ...


class SourceOpener(Protocol):
    def limits(self, shop: Any) -> ChannelLimits: ...

    def open(
        self, shop: Any, *, refresh_credentials: bool = False, budget: Callable[[], float] | None = None
    ) -> tuple[OrderSource, ChannelHttp]: ...
