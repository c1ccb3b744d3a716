"""Take in one tracking push (17TRACK's webhook): the parcel updated as a poll of the same data would.

In this order, and nothing read or written before a step passes:
1. the signature over the raw body (a forged or unsigned request: refused `forged`);
2. the body (not the documented shape: refused `malformed`; an event crossdock does not act on, a
   push without scans, `TRACKING_STOPPED`: ignored or noted, nothing written);
3. the parcel, by number (none tracked: refused `unknown_parcel`; delivered or expired: ignored, as
   the poll no longer refreshes it);
4. freshness, from the data (`rules.push.stale_because`: older than what the parcel holds, or from
   the future: refused `stale`);
5. once per number + newest-scan time + status (`core.inbound.once`: a replay is refused `replayed`);
6. the poll's own judge and write path (`judge`, `settle`, the version-checked save), the parcel
   marked `pushed_at` so the planner polls it less (`TrackingPolicy.next_check`).

The push never replaces the poll: the planner still polls every parcel (every 6 h while pushes keep
it fresh, its normal cadence once they stop), so a lost push costs latency, never a scan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crossdock.core.inbound import Once, refuse, run_always, taken
from crossdock.core.observability import logger
from crossdock.tracking.rules.chains import carrier_code
from crossdock.tracking.rules.parcel import Found, Parcel, Verdict, judge
from crossdock.tracking.rules.policy import status_line
from crossdock.tracking.rules.push import (
    FINAL,
    FORGED,
    NO_SCANS,
    NOT_TRACKING,
    STALE,
    UNKNOWN_PARCEL,
    InvalidPush,
    OtherPush,
    TrackingStopped,
    TrackPush,
    stale_because,
)
from crossdock.tracking.storage.shipments import ParcelConflict
from crossdock.tracking.usecases.settle import settle

if TYPE_CHECKING:
    from crossdock.tracking.ports import PushReader
    from crossdock.tracking.rules.policy import TrackingPolicy
    from crossdock.tracking.storage.shipments import ShipmentRepository

SAVE_ATTEMPTS = 3  # a worker saving the same parcel meanwhile: read it again and apply again


@dataclass
class TrackingPush:
    shipments: ShipmentRepository
    reader: PushReader
    policy: TrackingPolicy
    chains: Mapping[str, tuple[str, ...]]
    clock: Callable[[], datetime]
    once: Once = run_always

    def take(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        """The outcome of one request: {"outcome": "updated" | "unchanged" | "ignored" | "stopped" |
        "refused", "reason"?, "parcel"?, ...}. `headers` with lower-case names."""
        system = self.reader.name
        if not self.reader.verify(headers, body):
            state = "does not match" if headers.get("sign") else "is missing"
            return refuse(system, FORGED, f"the signature {state}", length=len(body))
        try:
            push = self.reader.parse(body)
        except InvalidPush as exc:
            return refuse(system, exc.reason, str(exc))
        if isinstance(push, OtherPush):
            return _ignored(refuse(system, NOT_TRACKING, f"event {push.event!r} is not acted on"))
        if isinstance(push, TrackingStopped):
            logger.info("tracking stopped at the source", extra={"system": system, "number": push.number})
            return {"outcome": "stopped", "number": push.number}
        found = self._parcel(push)
        if found is None:
            return refuse(system, UNKNOWN_PARCEL, "no tracked parcel has this number", number=push.number)
        if found.final:
            return _ignored(refuse(system, FINAL, f"the parcel is {found.status}", parcel=found.key))
        if not isinstance(push.answer, Found) or not push.answer.events:
            return _ignored(refuse(system, NO_SCANS, "the push has no scans", parcel=found.key))
        stale = stale_because(found, push, now=self.clock(), future_skew=self.policy.push_future_skew)
        if stale is not None:
            return refuse(system, STALE, stale, parcel=found.key)
        return self.once(system, push.once_key, lambda: self._apply(found.key, push))

    def _parcel(self, push: TrackPush) -> Parcel | None:
        """The tracked parcel with the pushed number: under the carrier it was registered with
        (17TRACK echoes it as the tag), else the carrier its number's shape names, else any carrier
        whose chain has this source."""
        candidates = [push.carrier_hint, carrier_code("", push.number)]
        candidates += [c for c, chain in self.chains.items() if c != "*" and push.source in chain]
        keys = [f"{c}#{push.number}" for c in dict.fromkeys(candidates) if c and c != "unknown"]
        found = self.shipments.get_many(keys)
        return next((found[k] for k in keys if k in found), None)

    def _apply(self, key: str, push: TrackPush) -> dict[str, Any]:
        attempt = 1
        while True:
            try:
                return self._apply_to_stored(key, push)
            except ParcelConflict:
                if attempt == SAVE_ATTEMPTS:
                    raise  # the request fails: the source delivers it again, the poll reads it anyway
                attempt += 1

    def _apply_to_stored(self, key: str, push: TrackPush) -> dict[str, Any]:
        system = self.reader.name
        parcel = self.shipments.get(key)  # read again: the version the save is checked against
        now = self.clock()
        if parcel is None or parcel.final:
            return _ignored(refuse(system, FINAL, "the parcel is no longer tracked", parcel=key))
        stale = stale_because(parcel, push, now=now, future_skew=self.policy.push_future_skew)
        if stale is not None:
            return refuse(system, STALE, stale, parcel=key)
        judgement = judge(parcel, push.answer, now=now, should_know_after=self.policy.should_know_after)
        if judgement.verdict not in (Verdict.NEWS, Verdict.NO_NEWS):
            return _ignored(refuse(system, NO_SCANS, f"judged {judgement.verdict}", parcel=key))
        after = settle(replace(parcel, pushed_at=now), (judgement, push.source), now, self.policy).parcel
        self.shipments.save(after, status_line=status_line(after, now), checked_at=now)
        taken(system)
        outcome = {
            "outcome": "updated" if judgement.verdict is Verdict.NEWS else "unchanged",
            "parcel": key,
            "status": str(after.status),
            "added": len(judgement.merge.added) if judgement.merge else 0,
            "next_check_at": after.next_check_at.isoformat() if after.next_check_at else None,
        }
        logger.info("tracking push taken in", extra={"system": system, **outcome})
        return outcome


def _ignored(refusal: dict[str, Any]) -> dict[str, Any]:
    """A well-formed push with nothing to act on: logged and counted like a refusal, answered 200."""
    return {**refusal, "outcome": "ignored"}
