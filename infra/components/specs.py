"""The specs a stack is built from (defaults: crossdock.constants), checked for dangling references."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from crossdock import constants as c

from infra.components.errors import InfraConfigError


@dataclass(frozen=True)
class Specs:
    tables: tuple[c.TableSpec, ...] = c.TABLES
    queues: tuple[c.QueueSpec, ...] = c.QUEUES
    functions: tuple[c.FunctionSpec, ...] = c.FUNCTIONS

    def with_schedules(self, schedules: dict[str, str]) -> Specs:
        """The same specs with some functions' schedules replaced (context `schedule:<function>`)."""
        unknown = sorted(set(schedules) - {f.name for f in self.functions if f.schedule})
        if unknown:
            raise InfraConfigError(
                f"schedule override for unknown or unscheduled function(s): {', '.join(unknown)}"
            )
        bad = sorted(e for e in schedules.values() if not e.startswith(("rate(", "cron(")))
        if bad:
            raise InfraConfigError(f"schedule override must be rate(...) or cron(...), got {', '.join(bad)}")
        return replace(
            self,
            functions=tuple(replace(f, schedule=schedules.get(f.name, f.schedule)) for f in self.functions),
        )

    def consumer_timeouts_s(self, queue: c.QueueSpec) -> list[int]:
        return [f.timeout_s for f in self.functions if f.queue == queue.logical_id]

    def validate(self) -> Specs:
        problems: list[str] = []
        ids = [t.logical_id for t in self.tables] + [q.logical_id for q in self.queues]
        problems += [f"logical id {i!r} is declared twice" for i, n in Counter(ids).items() if n > 1]
        names = Counter(f.name for f in self.functions)
        problems += [f"function name {name!r} is declared twice" for name, n in names.items() if n > 1]
        env_vars = Counter([t.env_var for t in self.tables] + [q.env_var for q in self.queues])
        problems += [f"env var {v!r} is used by two resources" for v, n in env_vars.items() if n > 1]
        table_ids = {t.logical_id for t in self.tables}
        queue_ids = {q.logical_id for q in self.queues}
        for f in self.functions:
            problems += [f"{f.name}: unknown table {t!r}" for t in f.tables if t not in table_ids]
            problems += [
                f"{f.name}: unknown queue {q!r} in sends_to" for q in f.sends_to if q not in queue_ids
            ]
            if f.queue is not None and f.queue not in queue_ids:
                problems.append(f"{f.name}: unknown trigger queue {f.queue!r}")
        if problems:
            raise InfraConfigError("invalid specs in crossdock.constants: " + "; ".join(problems))
        return self
