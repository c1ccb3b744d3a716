"""The supplier task on the supplier-tasks queue: `{"kind": TASK_KIND, "skus": [...], "planned_at"}`,
sent by the planner, read by the worker."""

TASK_KIND = "suppliers.check"
