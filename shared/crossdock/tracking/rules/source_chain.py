"""Which source to ask first, and when a source is demoted behind its backup or promoted back (pure)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from enum import StrEnum


class HealthChange(StrEnum):
    DEMOTE = "demote"
    PROMOTE = "promote"


def effective_chain(chain: Sequence[str], demoted: Collection[str]) -> tuple[str, ...]:
    """The chain with its demoted sources moved behind the healthy ones (order kept otherwise):
    a demoted source is still asked, last, so a parcel only it knows is not lost."""
    return tuple([s for s in chain if s not in demoted] + [s for s in chain if s in demoted])


def health_change(
    *,
    answers: int,
    silent: int,
    demoted: bool,
    demote_rate: float,
    promote_rate: float,
    min_answers: int,
) -> HealthChange | None:
    """Demote when the last hour's silent share passes `demote_rate` over enough answers; promote
    back when a demoted source's share (from the probes it still gets) falls below `promote_rate`.
    The gap between the two rates keeps a source near the line from flapping."""
    if answers < min_answers and not (demoted and answers > 0):
        return None
    rate = silent / answers if answers else 0.0
    if not demoted and answers >= min_answers and rate > demote_rate:
        return HealthChange.DEMOTE
    if demoted and answers >= max(1, min_answers // 4) and rate < promote_rate:
        return HealthChange.PROMOTE
    return None
