"""Ask one source about parcels: batched, silent answers retried with backoff, every answer judged.

A number whose answer is silent (empty, not found, rejected, stale) is asked again — alone with
the other silent ones, never the whole batch — up to `retries` times with exponential backoff and
full jitter; a number whose call failed after the HTTP layer's own retries goes straight on.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

from crossdock.core.errors import AuthError, ChannelError
from crossdock.tracking.ports import ParcelQuery, TrackingSource
from crossdock.tracking.rules.parcel import Judgement, Missing, Parcel, judge

if TYPE_CHECKING:
    from crossdock.core.http import CallStats
    from crossdock.tracking.rules.policy import TrackingPolicy


class SourceOpener(Protocol):
    def open(self, name: str) -> TrackingSource:
        """The source with its credentials and paced HTTP client (cached for the invocation)."""
        ...

    def stats(self, name: str) -> CallStats:
        """What the source's HTTP client has done so far in this invocation."""
        ...


@dataclass
class Asked:
    """What one source said about a batch, after retries."""

    judged: dict[str, Judgement] = field(default_factory=dict)  # parcel key → final judgement here
    answers: int = 0  # every judged answer, retries included (health counts them all)
    silent: int = 0
    registered: dict[str, str] = field(default_factory=dict)  # parcel key → source newly registered with
    auth_error: AuthError | None = None
    elapsed_s: float = 0.0


@dataclass
class Asker:
    sources: SourceOpener
    policy: TrackingPolicy
    retries: int
    retry_delay_s: float
    clock: Callable[[], datetime]
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    def ask(self, name: str, parcels: Sequence[Parcel]) -> Asked:
        asked = Asked()
        started = time.monotonic()
        try:
            source = self.sources.open(name)
        except (ValueError, GetParameterError) as exc:  # no secret, or one lacking fields
            # Unusable as surely as refused credentials: alert, and the chain's next source answers.
            asked.auth_error = AuthError(name, f"cannot use its credentials: {exc}")
            return asked
        try:
            if source.needs_registration:
                parcels = self._register(source, name, parcels, asked)
            waiting = {p.key: p for p in parcels}
            for attempt in range(self.retries + 1):
                if attempt:
                    self.sleep(self.rng.uniform(0, self.retry_delay_s * 2 ** (attempt - 1)))
                again = self._round(source, waiting, asked)
                if not again:
                    break
                waiting = {k: waiting[k] for k in again}
        except AuthError as exc:
            asked.auth_error = exc
        asked.elapsed_s = time.monotonic() - started
        return asked

    def _round(self, source: TrackingSource, waiting: dict[str, Parcel], asked: Asked) -> list[str]:
        """Ask once; judge; return the keys worth asking again."""
        by_number = {p.tracking_number: p for p in waiting.values()}
        answers = source.fetch([ParcelQuery(p.tracking_number, p.carrier) for p in waiting.values()])
        now = self.clock()
        again = []
        for number, parcel in by_number.items():
            answer = answers.get(number, Missing("empty", "the source left the number out"))
            verdict = judge(parcel, answer, now=now, should_know_after=self.policy.should_know_after)
            asked.judged[parcel.key] = verdict
            asked.answers += 1
            if verdict.failed:
                asked.silent += 1
                if verdict.reason != "failed":
                    again.append(parcel.key)
        return again

    def _register(
        self, source: TrackingSource, name: str, parcels: Sequence[Parcel], asked: Asked
    ) -> list[Parcel]:
        fresh = [p for p in parcels if name not in p.registered_with]
        if not fresh:
            return list(parcels)
        try:
            refused = source.register([ParcelQuery(p.tracking_number, p.carrier) for p in fresh])
        except AuthError:
            raise
        except ChannelError as exc:  # not registered now: asked anyway, the source says what it knows
            refused = {p.tracking_number: str(exc) for p in fresh}
        ok = {p.key for p in fresh if refused.get(p.tracking_number) is None}
        for key in ok:
            asked.registered[key] = name
        return [replace(p, registered_with=p.registered_with | {name}) if p.key in ok else p for p in parcels]
