"""The specs a stack is built from (defaults: crossdock.core.names), checked for dangling references."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from crossdock.core.specs import (
    ALERTS_TABLE,
    INDEX_ACTIONS,
    READ_ACTIONS,
    SENDS_ALERTS,
    WRITE_ACTIONS,
    EventRouteSpec,
    FunctionSpec,
    QueueSpec,
    TableAccess,
    TableSpec,
)
from crossdock.deployment import FUNCTIONS, QUEUES, ROUTES, TABLES

from infra.components.errors import InfraConfigError

RATE = re.compile(r"rate\((?P<n>[1-9][0-9]*) (?P<unit>minute|hour|day)(?P<s>s?)\)")
CRON = re.compile(r"cron\((?P<fields>[^()]+)\)")


def schedule_problem(expression: str) -> str | None:
    """Why EventBridge would refuse this rule expression (None: it is well-formed)."""
    rate = RATE.fullmatch(expression)
    if rate:
        plural = rate["n"] != "1"
        if plural != bool(rate["s"]):
            return f"{expression!r}: write rate(1 {rate['unit']}) or rate(<n> {rate['unit']}s)"
        return None
    cron = CRON.fullmatch(expression)
    if cron:
        fields = cron["fields"].split()
        if len(fields) != 6:
            return f"{expression!r}: cron(...) takes 6 fields (minutes hours day month weekday year)"
        if "?" not in (fields[2], fields[4]):
            return f"{expression!r}: cron(...) needs ? as its day-of-month or its day-of-week"
        return None
    return f"{expression!r}: a schedule is rate(<n> minutes|hours|days) or cron(<6 fields>)"


@dataclass(frozen=True)
class Specs:
    tables: tuple[TableSpec, ...] = TABLES
    queues: tuple[QueueSpec, ...] = QUEUES
    functions: tuple[FunctionSpec, ...] = FUNCTIONS
    routes: tuple[EventRouteSpec, ...] = ROUTES

    def with_schedules(self, schedules: dict[str, str]) -> Specs:
        """The same specs with some functions' schedules replaced (context `schedule:<function>`)."""
        scheduled = sorted(f.name for f in self.functions if f.schedule)
        unknown = sorted(set(schedules) - set(scheduled))
        if unknown:
            raise InfraConfigError(
                f"schedule override for unknown or unscheduled function(s): {', '.join(unknown)} "
                f"(scheduled functions: {', '.join(scheduled)})"
            )
        bad = [
            f"schedule:{name}: {problem}"
            for name, e in sorted(schedules.items())
            if (problem := schedule_problem(e))
        ]
        if bad:
            raise InfraConfigError("bad schedule override: " + "; ".join(bad))
        return replace(
            self,
            functions=tuple(replace(f, schedule=schedules.get(f.name, f.schedule)) for f in self.functions),
        )

    def consumer_timeouts_s(self, queue: QueueSpec) -> list[int]:
        return [f.timeout_s for f in self.functions if f.queue == queue.logical_id]

    def validate(self) -> Specs:
        problems: list[str] = []
        ids = [t.logical_id for t in self.tables] + [q.logical_id for q in self.queues]
        ids += [r.logical_id for r in self.routes]
        problems += [f"logical id {i!r} is declared twice" for i, n in Counter(ids).items() if n > 1]
        names = Counter(f.name for f in self.functions)
        problems += [f"function name {name!r} is declared twice" for name, n in names.items() if n > 1]
        env_vars = Counter(
            [t.env_var for t in self.tables]
            + [q.env_var for q in self.queues]
            + [r.env_var for r in self.routes]
        )
        problems += [f"env var {v!r} is used by two resources" for v, n in env_vars.items() if n > 1]
        tables = {t.logical_id: t for t in self.tables}
        queue_ids = {q.logical_id for q in self.queues}
        for f in self.functions:
            problems += [f"{f.name}: unknown table {t!r}" for t in f.tables if t not in tables]
            problems += [
                problem
                for t, access in f.tables.items()
                if t in tables
                for problem in access_problems(f.name, tables[t], access)
            ]
            problems += [
                f"{f.name}: unknown queue {q!r} in sends_to" for q in f.sends_to if q not in queue_ids
            ]
            if f.queue is not None and f.queue not in queue_ids:
                problems.append(f"{f.name}: unknown trigger queue {f.queue!r}")
            problems += alert_problems(f)
        problems += [
            f"{r.logical_id}: unknown target queue {r.queue!r}"
            for r in self.routes
            if r.queue not in queue_ids
        ]
        problems += [f"{r.logical_id}: no detail types to match" for r in self.routes if not r.detail_types]
        contexts = Counter(r.context_key for r in self.routes)
        problems += [f"context key {k!r} is used by two routes" for k, n in contexts.items() if n > 1]
        if problems:
            raise InfraConfigError("invalid specs in crossdock.core.names: " + "; ".join(problems))
        return self


def access_problems(function: str, table: TableSpec, access: object) -> list[str]:
    """What is wrong with a function's declared access to one table (unknown actions or indexes)."""
    where = f"{function}: {table.logical_id}"
    if not isinstance(access, TableAccess):
        return [f"{where}: access must be a TableAccess (crossdock.core.specs.access(...)), got {access!r}"]
    known = READ_ACTIONS | WRITE_ACTIONS
    problems = [f"{where}: unknown DynamoDB action {a!r}" for a in sorted(access.actions - known)]
    index_names = {name for name, _, _ in table.indexes}
    for index, reads in access.indexes:
        if index not in index_names:
            problems.append(f"{where}: no index {index!r}")
        problems += [
            f"{where}/index/{index}: {a!r} is not an index read" for a in sorted(reads - INDEX_ACTIONS)
        ]
        if not reads:
            problems.append(f"{where}/index/{index}: no action")
    if not access.actions and not access.indexes:
        problems.append(f"{where}: no action (drop the table from the spec)")
    return problems


def alert_problems(function: FunctionSpec) -> list[str]:
    """A function sends alerts through AlertSender, which writes the alert record before it publishes:
    it needs both the topic (`alerts=True`) and tables["AlertsTable"] = SENDS_ALERTS, or neither."""
    sends = function.tables.get(ALERTS_TABLE.logical_id) == SENDS_ALERTS
    if function.alerts and not sends:
        return [
            f"{function.name}: alerts=True needs tables['AlertsTable'] = SENDS_ALERTS (AlertSender's record)"
        ]
    if sends and not function.alerts:
        return [f"{function.name}: AlertsTable access for sending alerts, but alerts=False (no topic)"]
    return []
