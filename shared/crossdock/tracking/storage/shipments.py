"""Parcels in DynamoDB: register once, read by key or by due time (indexed), save with a version check.

Every write carries the parcel's item version (PynamoDB `VersionAttribute`): two workers that
refreshed the same parcel cannot overwrite each other's scans; the loser's SQS record is retried.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime

from pynamodb.exceptions import PutError, UpdateError

from crossdock.tracking.rules.parcel import OrderRef, Parcel
from crossdock.tracking.rules.status import TrackingEvent, TrackingStatus
from crossdock.tracking.storage.tables import ShipmentModel

SAVE_THREADS = 8
SHARDS = 8  # "due" index partitions: the planner reads each with one query
# "attention" index values, in the order a parcel goes through them (one at a time)
FOLLOW_UP = "follow-up"  # every source failing: waits for the planner's follow-up digest
ESCALATION = "escalation"  # follow-up digest sent: waits until it is 2 hours old
STALLED = "stalled"  # a stall waits for the planner's stall digest


def attention(parcel: Parcel) -> str | None:
    """What a person must hear about this parcel next (the "attention" index), if anything."""
    if parcel.follow_up_since is not None and not parcel.final:
        if parcel.follow_up_reported_at is None:
            return FOLLOW_UP
        if parcel.escalated_at is None:
            return ESCALATION
    if parcel.stalled_since is not None and not parcel.stall_reported:
        return STALLED
    return None


def shard_of(parcel_key: str) -> str:
    return f"s{zlib.crc32(parcel_key.encode()) % SHARDS}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ParcelConflict(RuntimeError):
    """Someone else saved the parcel since it was read: re-read and try again."""


class ShipmentRepository:
    def __init__(self) -> None:
        self._versions: dict[str, int | None] = {}
        self._carrier_texts: dict[str, str] = {}  # as the channel or file wrote it: kept across saves

    # -- registering --------------------------------------------------------------------------
    def register(self, parcel: Parcel, *, carrier_text: str = "", status_line: str = "") -> bool:
        """Store a new parcel; False (and nothing written) if it is already registered."""
        item = self._to_model(parcel, status_line=status_line)
        item.carrier_text = carrier_text
        try:
            item.save(condition=ShipmentModel.parcel_key.does_not_exist())
        except PutError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
        self._versions[parcel.key] = item.version
        return True

    # -- reading --------------------------------------------------------------------------------
    def get(self, key: str) -> Parcel | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: Iterable[str]) -> dict[str, Parcel]:
        found: dict[str, Parcel] = {}
        for item in ShipmentModel.batch_get(list(dict.fromkeys(keys)), consistent_read=True):
            self._versions[item.parcel_key] = item.version
            self._carrier_texts[item.parcel_key] = item.carrier_text or ""
            found[item.parcel_key] = to_parcel(item)
        return found

    def due(self, now: datetime, *, limit: int | None = None) -> Iterator[ShipmentModel]:
        """Parcels whose next check is at or before `now` (the "due" index, every shard)."""
        cutoff = iso(now)
        for shard in range(SHARDS):
            yield from ShipmentModel.due.query(
                f"s{shard}", ShipmentModel.next_check_at <= cutoff, limit=limit, page_size=500
            )

    def stalled_unreported(self) -> list[ShipmentModel]:
        return self.needing(STALLED)

    def needing(self, kind: str) -> list[ShipmentModel]:
        """Parcels in one "attention" state, re-read consistently (the index lags the table) and
        kept only if still in it: what a digest names is what is stored."""
        keys = [item.parcel_key for item in ShipmentModel.needs_attention.query(kind)]
        if not keys:
            return []
        items = ShipmentModel.batch_get(keys, consistent_read=True)
        return sorted((i for i in items if attention(to_parcel(i)) == kind), key=lambda i: i.parcel_key)

    def items(self, keys: Iterable[str]) -> list[ShipmentModel]:
        return list(ShipmentModel.batch_get(list(dict.fromkeys(keys))))

    def all(self) -> Iterator[ShipmentModel]:
        """Every parcel (operators' listing and the demo only; the planner never scans)."""
        return ShipmentModel.scan()

    # -- writing --------------------------------------------------------------------------------
    def save_all(self, saves: Sequence[tuple[Parcel, str, str | None]], *, checked_at: datetime) -> None:
        """Save refreshed parcels — (parcel, status line, failure) — each with its version check,
        several at once: a batch's saves cost about one round trip per `SAVE_THREADS` parcels.
        (Not TransactWriteItems: it doubles the write cost, and one changed parcel would fail the
        whole transaction.) Raises ParcelConflict after the others are saved if one changed meanwhile."""
        items = [self._prepared(parcel, line, checked_at, failure) for parcel, line, failure in saves]
        with ThreadPoolExecutor(max_workers=SAVE_THREADS) as pool:
            outcomes = list(pool.map(self._try_put, items))
        failed = [exc for exc in outcomes if exc is not None]
        if failed:
            raise failed[0]

    def _try_put(self, item: ShipmentModel) -> Exception | None:
        try:
            self._put(item)
        except Exception as exc:
            return exc
        return None

    def save(
        self, parcel: Parcel, *, status_line: str, checked_at: datetime, failure: str | None = None
    ) -> None:
        self._put(self._prepared(parcel, status_line, checked_at, failure))

    def _prepared(
        self, parcel: Parcel, status_line: str, checked_at: datetime, failure: str | None
    ) -> ShipmentModel:
        item = self._to_model(parcel, status_line=status_line)
        item.version = self._versions.get(parcel.key)
        item.carrier_text = self._carrier_texts.get(parcel.key, "")
        item.last_checked_at = checked_at
        item.last_failure = failure
        return item

    def _put(self, item: ShipmentModel) -> None:
        try:
            item.save()
        except PutError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                raise ParcelConflict(f"parcel {item.parcel_key} changed while it was refreshed") from exc
            raise
        self._versions[item.parcel_key] = item.version

    def postpone(self, items: Iterable[ShipmentModel], until: datetime) -> list[str]:
        """Move planned parcels' next check forward (a lease): the next planner run skips them while
        their task is on the queue, and a lost task brings them back when the lease ends. Returns the
        keys leased; a parcel saved by someone else meanwhile (version check) is left to the next run."""
        leased = []
        for item in items:
            if _updated(item, [ShipmentModel.next_check_at.set(iso(until))]):
                leased.append(item.parcel_key)
        return leased

    def mark_reported(self, items: Iterable[ShipmentModel]) -> list[str]:
        """Take reported stalls out of the "attention" index (once per stall)."""
        return [
            item.parcel_key
            for item in items
            if _updated(item, [ShipmentModel.attention.remove(), ShipmentModel.stall_reported.set(True)])
        ]

    def mark_follow_up_reported(self, items: Iterable[ShipmentModel], at: datetime) -> list[str]:
        """The follow-up digest named them at `at`: each now waits for its escalation (once per window)."""
        return [
            item.parcel_key
            for item in items
            if _updated(
                item,
                [ShipmentModel.follow_up_reported_at.set(at), ShipmentModel.attention.set(ESCALATION)],
            )
        ]

    def mark_escalated(self, items: Iterable[ShipmentModel], at: datetime) -> list[str]:
        """The escalation digest named them: out of the window's states (a stall may follow)."""
        marked = []
        for item in items:
            after = attention(replace(to_parcel(item), escalated_at=at))
            state = ShipmentModel.attention.set(after) if after else ShipmentModel.attention.remove()
            if _updated(item, [ShipmentModel.escalated_at.set(at), state]):
                marked.append(item.parcel_key)
        return marked

    @staticmethod
    def _to_model(parcel: Parcel, *, status_line: str) -> ShipmentModel:
        order = parcel.order
        due = parcel.next_check_at is not None and not parcel.final
        return ShipmentModel(
            parcel.key,
            tracking_number=parcel.tracking_number,
            carrier=parcel.carrier,
            channel=order.channel if order else None,
            shop_id=order.shop_id if order else None,
            order_id=order.order_id if order else None,
            shop_time_zone=parcel.shop_time_zone,
            registered_at=parcel.registered_at,
            handed_over_at=parcel.handed_over_at,
            status=str(parcel.status),
            raw_status=parcel.raw_status,
            status_line=status_line,
            events=[e.to_dict() for e in parcel.events],
            last_event_at=parcel.last_event_at,
            last_success_at=parcel.last_success_at,
            source=parcel.source,
            follow_up_since=parcel.follow_up_since,
            follow_up_reported_at=parcel.follow_up_reported_at,
            escalated_at=parcel.escalated_at,
            stalled_since=parcel.stalled_since,
            stall_reported=parcel.stall_reported,
            registered_with=set(parcel.registered_with) or None,
            pushed_at=parcel.pushed_at,
            check_shard=shard_of(parcel.key) if due else None,
            next_check_at=iso(parcel.next_check_at) if due and parcel.next_check_at else None,
            attention=attention(parcel),
        )


def to_parcel(item: ShipmentModel) -> Parcel:
    order = (
        OrderRef(item.channel, item.shop_id or "", item.order_id or "")
        if item.channel and item.order_id
        else None
    )
    return Parcel(
        tracking_number=item.tracking_number,
        carrier=item.carrier,
        registered_at=item.registered_at,
        handed_over_at=item.handed_over_at,
        order=order,
        status=TrackingStatus(item.status),
        raw_status=item.raw_status,
        events=tuple(TrackingEvent.from_dict(e) for e in item.events or []),
        last_success_at=item.last_success_at,
        source=item.source,
        next_check_at=datetime.fromisoformat(item.next_check_at.replace("Z", "+00:00"))
        if item.next_check_at
        else None,
        follow_up_since=item.follow_up_since,
        follow_up_reported_at=item.follow_up_reported_at,
        escalated_at=item.escalated_at,
        stalled_since=item.stalled_since,
        stall_reported=bool(item.stall_reported),
        registered_with=frozenset(item.registered_with or ()),
        shop_time_zone=item.shop_time_zone,
        pushed_at=item.pushed_at,
    )


def _updated(item: ShipmentModel, actions: list) -> bool:  # type: ignore[type-arg]
    try:
        item.update(actions=actions)
    except UpdateError as exc:
        if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
            return False
        raise
    return True
