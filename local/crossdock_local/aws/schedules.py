"""When an EventBridge schedule expression fires (pure), so the local runner can fire due rules.

Supports `rate(N minute|minutes|hour|hours|day|days)` and the six-field `cron(min hour dom month
dow year)` with `*`, `?`, numbers, names (JAN, MON), lists, ranges and `/` steps. The `L`, `W` and
`#` forms are refused with a clear error rather than misread.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
    )
}
_DAYS = {d: i + 1 for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
_FIELDS: tuple[tuple[int, int, dict[str, int]], ...] = (
    (0, 59, {}),
    (0, 23, {}),
    (1, 31, {}),
    (1, 12, _MONTHS),
    (1, 7, _DAYS),
    (1970, 2199, {}),
)


_PART = re.compile(r"(\*|\d+|[A-Z]{3})(?:-(\d+|[A-Z]{3}))?(?:/(\d+))?")


def _number(text: str, names: dict[str, int]) -> int:
    return names[text] if text in names else int(text)


def _values(text: str, low: int, high: int, names: dict[str, int]) -> frozenset[int] | None:
    """The allowed values of one cron field; None for `?` (no constraint)."""
    if text == "?":
        return None
    allowed: set[int] = set()
    for part in text.upper().split(","):
        match = _PART.fullmatch(part)
        if match is None or (match.group(1) in names) != (match.group(1).isalpha()):
            raise ValueError(f"cron field {text!r} is not supported by the local runner (L, W and # are not)")
        base, last_text, step_text = match.groups()
        step = int(step_text) if step_text else 1
        if base == "*":
            first, last = low, high
        else:
            first = _number(base, names)
            last = _number(last_text, names) if last_text else (high if step_text else first)
        if not low <= first <= last <= high or step < 1:
            raise ValueError(f"cron field {text!r} outside {low}-{high}")
        allowed.update(range(first, last + 1, step))
    return frozenset(allowed)


@dataclass(frozen=True)
class Schedule:
    expression: str
    every: timedelta | None = None
    fields: tuple[frozenset[int] | None, ...] = ()

    @classmethod
    def parse(cls, expression: str) -> Schedule:
        rate = _RATE.fullmatch(expression.strip())
        if rate:
            unit = rate.group(2).rstrip("s")
            return cls(expression, every=timedelta(seconds=int(rate.group(1)) * _UNITS[unit]))
        if expression.startswith("cron(") and expression.endswith(")"):
            parts = expression[5:-1].split()
            if len(parts) != 6:
                raise ValueError(
                    f"{expression}: cron needs six fields (min hour day-of-month month day-of-week year)"
                )
            fields = tuple(
                _values(p, lo, hi, names) for p, (lo, hi, names) in zip(parts, _FIELDS, strict=True)
            )
            if (fields[2] is None) == (fields[4] is None):
                raise ValueError(f"{expression}: exactly one of day-of-month and day-of-week must be '?'")
            return cls(expression, fields=fields)
        raise ValueError(f"unsupported schedule expression {expression!r}")

    def _day_matches(self, day: datetime) -> bool:
        _, _, dom, month, dow, year = self.fields
        weekday = (day.weekday() + 1) % 7 + 1  # EventBridge: 1 = SUN … 7 = SAT
        return (
            (month is None or day.month in month)
            and (year is None or day.year in year)
            and (dom is None or day.day in dom)
            and (dow is None or weekday in dow)
        )

    def fires_between(self, after: datetime, until: datetime) -> bool:
        """Whether the schedule fires in (after, until]."""
        if self.every is not None:
            return until - after >= self.every
        minutes, hours = self.fields[0], self.fields[1]
        assert minutes is not None and hours is not None
        day = after.replace(hour=0, minute=0, second=0, microsecond=0)
        while day <= until:
            if self._day_matches(day):
                for hour in sorted(hours):
                    for minute in sorted(minutes):
                        moment = day.replace(hour=hour, minute=minute)
                        if after < moment <= until:
                            return True
            day += timedelta(days=1)
        return False
