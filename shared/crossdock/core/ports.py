"""What the use cases need from the outside world; tests pass fakes that satisfy these."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from crossdock.core.alerts.message import Alert


class EventSink(Protocol):
    def publish(self, events: Sequence[dict[str, Any]]) -> int: ...


class TaskSink(Protocol):
    def enqueue(self, tasks: Sequence[dict[str, Any]], *, delay_s: int = 0) -> int: ...


class AlertSink(Protocol):
    def send(self, alert: Alert, *, now: datetime) -> bool: ...
