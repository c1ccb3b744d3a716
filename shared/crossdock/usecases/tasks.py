"""The message the planner puts on the order-tasks queue: one per shop and job."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class ShopTask(BaseModel):
    kind: Literal["pull", "reconcile"] = "pull"
    shop_id: str = Field(min_length=1)
    reason: Literal["schedule", "continuation", "manual", "degraded", "probe", "reconcile"] = "schedule"
    # Manual backfill (`crossdock orders pull --since`) and reconciliation read an explicit range
    # and leave the incremental checkpoint alone.
    since: datetime | None = None
    until: datetime | None = None

    def body(self) -> dict[str, object]:
        return self.model_dump(mode="json", exclude_none=True)
