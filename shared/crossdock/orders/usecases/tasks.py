"""The message the planner puts on the order-tasks queue: one per shop and job."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crossdock.core.times import iso_z, parse_iso

KINDS = ("pull", "reconcile")
REASONS = ("schedule", "continuation", "manual", "degraded", "probe", "reconcile")


class InvalidTask(ValueError):
    """A task message that is not ours or is malformed: it fails its SQS record (→ DLQ + alarm)."""


@dataclass(frozen=True)
class ShopTask:
    shop_id: str
    kind: str = "pull"
    reason: str = "schedule"
    # Manual backfill (`crossdock orders pull --since`) and reconciliation read an explicit range
    # and leave the incremental checkpoint alone.
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        if not self.shop_id:
            raise InvalidTask("task has no shop_id")
        if self.kind not in KINDS:
            raise InvalidTask(f"unknown task kind {self.kind!r}")
        if self.reason not in REASONS:
            raise InvalidTask(f"unknown task reason {self.reason!r}")
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                raise InvalidTask(f"{name} must carry a time zone")
        if self.since and self.until and self.until <= self.since:
            raise InvalidTask("until must be after since")

    def body(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "shop_id": self.shop_id, "reason": self.reason}
        if self.since:
            data["since"] = iso_z(self.since)
        if self.until:
            data["until"] = iso_z(self.until)
        return data

    @classmethod
    def from_json(cls, text: str) -> ShopTask:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidTask(f"task body is not JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("shop_id"), str):
            raise InvalidTask("task body must be an object with a shop_id")
        unknown = set(data) - {"kind", "shop_id", "reason", "since", "until"}
        if unknown:
            raise InvalidTask(f"unknown task fields {sorted(unknown)}")
        try:
            since = parse_iso(data["since"]) if data.get("since") else None
            until = parse_iso(data["until"]) if data.get("until") else None
        except (TypeError, ValueError) as exc:
            raise InvalidTask(f"bad since/until: {exc}") from None
        return cls(
            shop_id=data["shop_id"],
            kind=data.get("kind", "pull"),
            reason=data.get("reason", "schedule"),
            since=since,
            until=until,
        )
