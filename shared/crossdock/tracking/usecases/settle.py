"""One parcel after one source's judged answer (or after none): what a poll (`refresh.py`) and a
push (`push.py`) both write, so the two paths give a parcel the same status, stall, follow-up and
expiry, and the next check its policy sets."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from crossdock.tracking.rules.parcel import Judgement, Parcel, Verdict, with_news

if TYPE_CHECKING:
    from crossdock.tracking.rules.policy import TrackingPolicy


@dataclass(frozen=True)
class Settled:
    parcel: Parcel
    opened_follow_up: bool = False  # no source answered and the parcel's follow-up window opened now


def settle(
    parcel: Parcel, found: tuple[Judgement, str] | None, now: datetime, policy: TrackingPolicy
) -> Settled:
    """`found`: the answering source's judgement and name, None when no source answered. A stall
    is judged from an answer only: without one, nobody knows whether the parcel moved."""
    opened = False
    if found is not None:
        parcel = policy.notice_stall(answered(parcel, found[0], found[1], now), now)
    elif parcel.follow_up_since is None:
        parcel, opened = replace(parcel, follow_up_since=now, follow_up_reported_at=None), True
    parcel = policy.expire_if_silent(parcel, now)
    return Settled(replace(parcel, next_check_at=policy.next_check(parcel, now)), opened)


def answered(parcel: Parcel, judgement: Judgement, source: str, now: datetime) -> Parcel:
    """The parcel after a source's healthy answer: a young parcel not scanned yet closes any
    follow-up window; news or an honest "nothing newer" is merged (`with_news`)."""
    if judgement.verdict is Verdict.NOT_YET:
        return replace(parcel, follow_up_since=None, follow_up_reported_at=None, escalated_at=None)
    return with_news(parcel, judgement, source=source, now=now)
