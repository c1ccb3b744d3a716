"""The tracking task on the tracking-tasks queue: `{"kind": TASK_KIND, "carrier", "parcels": [keys]}`,
sent by the planner, read by the worker."""

TASK_KIND = "tracking.refresh"
