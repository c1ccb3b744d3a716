"""Central inventory repository: optimistic versioned SKU updates, idempotent reservations in one
DynamoDB transaction with their SKU, listings with version-checked acceptance, and the audit trail."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from crossdock.stock.storage.tables import ListingModel, ReservationModel, SkuModel, StockAuditModel

if TYPE_CHECKING:
    from crossdock.core.config import Settings

RETRIES = 8


class VersionConflict(RuntimeError):
    """The SKU kept changing under us (retried RETRIES times)."""


def _conflict(exc: Exception) -> bool:
    text = str(getattr(exc, "cause_response_code", "")) + str(exc)
    return "ConditionalCheckFailed" in text or "TransactionCanceled" in text


def _covers(version: int) -> Any:
    """The listing's mark (if any) is for this version or an older one."""
    return ListingModel.dirty_version.does_not_exist() | (ListingModel.dirty_version <= version)


def _clean() -> list[Action]:
    return [
        ListingModel.dirty_shop.remove(),
        ListingModel.dirty_version.remove(),
        ListingModel.dirty_at.remove(),
        ListingModel.retry_at.remove(),
        ListingModel.attempts.set(0),
    ]


class StockRepository:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def _connection(self) -> Connection:
        return Connection(region=self.settings.region, host=self.settings.aws_endpoint_url)

    # -- SKUs ----------------------------------------------------------------------------------
    def sku(self, sku: str) -> SkuModel:
        try:
            return SkuModel.get(sku, consistent_read=True)
        except DoesNotExist:
            return SkuModel(sku, version=0, on_hand={}, reserved=0)

    def skus(self, skus: Iterable[str]) -> dict[str, SkuModel]:
        """Many SKUs by BatchGetItem (100 a call), strongly consistent; unknown ones as version 0."""
        wanted = list(dict.fromkeys(skus))
        found = {item.sku: item for item in SkuModel.batch_get(wanted, consistent_read=True)}
        return {sku: found.get(sku) or SkuModel(sku, version=0, on_hand={}, reserved=0) for sku in wanted}

    def all_skus(self) -> Iterator[SkuModel]:
        return SkuModel.scan()

    def change_sku(self, sku: str, change: Callable[[SkuModel], bool], *, now: datetime) -> SkuModel | None:
        """Apply `change` (mutating; False = nothing to do) and save with version + 1, retrying on races."""
        for _ in range(RETRIES):
            item = self.sku(sku)
            version = int(item.version)
            if not change(item):
                return None
            item.version = version + 1
            item.updated_at = now
            condition = SkuModel.sku.does_not_exist() if version == 0 else SkuModel.version == version
            try:
                item.save(condition=condition)
                return item
            except PutError as exc:
                if not _conflict(exc):
                    raise
        raise VersionConflict(f"SKU {sku} kept changing")

    def transact_line(
        self,
        sku: str,
        decide: Callable[[SkuModel, ReservationModel | None], tuple[ReservationModel, int] | None],
        *,
        line_key: str,
        now: datetime,
    ) -> tuple[SkuModel, ReservationModel] | None:
        """Write a reservation line and its SKU together. `decide` returns the new line and the change
        in reserved units (or None: nothing to do). Retried while the SKU races."""
        for _ in range(RETRIES):
            item = self.sku(sku)
            if int(item.version) == 0 and decide(item, None) is None:
                return None  # a SKU we keep no stock for: no line to read
            try:
                line: ReservationModel | None = ReservationModel.get(sku, line_key, consistent_read=True)
            except DoesNotExist:
                line = None
            decision = decide(item, line)
            if decision is None:
                return None
            new_line, reserved_delta = decision
            version = int(item.version)
            item.reserved = int(item.reserved) + reserved_delta
            item.version = version + 1
            item.updated_at = now
            new_line.updated_at = now
            sku_condition = SkuModel.sku.does_not_exist() if version == 0 else SkuModel.version == version
            line_condition = (
                ReservationModel.line_key.does_not_exist()
                if line is None
                else ReservationModel.state == line.state
            )
            try:
                with TransactWrite(connection=self._connection()) as tx:
                    tx.save(item, condition=sku_condition)
                    tx.save(new_line, condition=line_condition)
                return item, new_line
            except TransactWriteError as exc:
                if not _conflict(exc):
                    raise
        raise VersionConflict(f"SKU {sku} kept changing while reserving {line_key}")

    def reservations(self, sku: str) -> list[ReservationModel]:
        return list(ReservationModel.query(sku))

    # -- listings ------------------------------------------------------------------------------------
    def listings(self, sku: str) -> list[ListingModel]:
        return list(ListingModel.query(sku))

    def listings_on(self, skus: Iterable[str], shop_keys: Iterable[str]) -> list[ListingModel]:
        """The listings these SKUs have on these shops, by BatchGetItem (100 keys a call): a burst's
        100 SKUs on 4 shops is 4 calls, where a query per SKU is 100."""
        keys = [(sku, shop_key) for sku in dict.fromkeys(skus) for shop_key in dict.fromkeys(shop_keys)]
        return list(ListingModel.batch_get(keys, consistent_read=True)) if keys else []

    def listings_of_shop(self, shop_key: str) -> list[ListingModel]:
        return list(ListingModel.by_shop.query(shop_key))

    def all_listings(self) -> Iterator[ListingModel]:
        return ListingModel.scan()

    def accept(
        self, listing: ListingModel, *, quantity: int, version: int, status: str, detail: str, now: datetime
    ) -> bool:
        """Record what the channel accepted, unless a newer version was recorded meanwhile; the dirty
        mark goes with it when no newer change marked the listing since (one write either way)."""
        actions: list[Action] = [
            ListingModel.last_quantity.set(quantity),
            ListingModel.last_version.set(version),
            ListingModel.accepted_at.set(now),
            ListingModel.last_status.set(status),
            ListingModel.last_detail.set(detail[:500]),
        ]
        newer = ListingModel.last_version < version
        try:
            listing.update(actions=actions + _clean(), condition=newer & _covers(version))
            return True
        except UpdateError as exc:
            if not _conflict(exc):
                raise
        try:  # a newer change marked it meanwhile: record the acceptance, keep the mark
            listing.update(actions=actions, condition=newer)
            return True
        except UpdateError as exc:
            if _conflict(exc):
                return False
            raise

    # -- the change path: dirty marks, retries, reviews --------------------------------------------------
    def mark(self, listing: ListingModel, *, version: int, now: datetime) -> bool:
        """Mark the listing for its shop's flush, unless it already pushed this version or newer, a
        newer mark is on it, or it awaits review. False when nothing was written."""
        condition = (
            (ListingModel.last_version < version)
            & (ListingModel.dirty_version.does_not_exist() | (ListingModel.dirty_version < version))
            & ListingModel.review_since.does_not_exist()
        )
        try:
            listing.update(
                actions=[
                    ListingModel.dirty_shop.set(listing.shop_key),
                    ListingModel.dirty_version.set(version),
                    ListingModel.dirty_at.set(now),
                    ListingModel.retry_at.remove(),
                    ListingModel.attempts.set(0),
                ],
                condition=condition,
            )
            return True
        except UpdateError as exc:
            if _conflict(exc):
                return False
            raise

    def dirty(self, shop_key: str) -> list[ListingModel]:
        """The shop's marked listings (the sparse index: eventually consistent, so every write that
        acts on one is conditional)."""
        return list(ListingModel.dirty.query(shop_key))

    def dirty_shops(self) -> Iterator[ListingModel]:
        """Every marked listing of every shop (the planner's sweep; the index is sparse)."""
        return ListingModel.dirty.scan()

    def settle(self, listing: ListingModel, *, version: int, status: str, detail: str) -> bool:
        """Clear the mark without a push (the channel already shows what is sellable)."""
        try:
            listing.update(
                actions=[
                    ListingModel.last_status.set(status),
                    ListingModel.last_detail.set(detail[:500]),
                    *_clean(),
                ],
                condition=_covers(version),
            )
            return True
        except UpdateError as exc:
            if _conflict(exc):
                return False
            raise

    def defer(
        self, listing: ListingModel, *, attempts: int, retry_at: datetime, status: str, detail: str
    ) -> None:
        """A transient refusal: keep the mark, try again at `retry_at`."""
        listing.update(
            actions=[
                ListingModel.attempts.set(attempts),
                ListingModel.retry_at.set(retry_at),
                ListingModel.last_status.set(status),
                ListingModel.last_detail.set(detail[:500]),
            ]
        )

    def review(self, listing: ListingModel, *, code: str, reason: str, now: datetime) -> None:
        """A permanent refusal: the listing needs a person; no push reaches it until resumed."""
        listing.update(
            actions=[
                ListingModel.review_since.set(now),
                ListingModel.review_code.set(code[:100] or "-"),
                ListingModel.review_reason.set(reason[:500] or "-"),
                ListingModel.last_status.set("needs_review"),
                ListingModel.last_detail.set(f"{code}: {reason}"[:500]),
                *_clean(),
            ]
        )

    def resume(self, listing: ListingModel, *, version: int, now: datetime) -> None:
        """Back to normal: the review ends and the listing is marked for its next flush."""
        listing.update(
            actions=[
                ListingModel.review_since.remove(),
                ListingModel.review_code.remove(),
                ListingModel.review_reason.remove(),
                ListingModel.last_status.set("resumed"),
                ListingModel.dirty_shop.set(listing.shop_key),
                ListingModel.dirty_version.set(version),
                ListingModel.dirty_at.set(now),
                ListingModel.attempts.set(0),
                ListingModel.retry_at.remove(),
            ]
        )

    def note(self, listing: ListingModel, *, status: str, detail: str, **fields: Any) -> None:
        actions: list[Action] = [
            ListingModel.last_status.set(status),
            ListingModel.last_detail.set(detail[:500]),
        ]
        actions += [getattr(ListingModel, name).set(value) for name, value in fields.items()]
        listing.update(actions=actions)

    # -- audit ---------------------------------------------------------------------------------------------
    def audit(self, **fields: Any) -> None:
        self.audit_record(**fields).save()

    def audit_many(self, records: list[StockAuditModel]) -> None:
        """Many audit records in BatchWriteItem calls of 25 (a 10,000-SKU flush is 400 calls, not 10,000)."""
        with StockAuditModel.batch_write() as batch:
            for record in records:
                batch.save(record)

    def audit_record(
        self,
        *,
        sku: str,
        channel: str,
        shop_id: str,
        old: int | None,
        new: int,
        version: int,
        trigger: str,
        result: str,
        detail: str,
        now: datetime,
    ) -> StockAuditModel:
        return StockAuditModel(
            sku,
            f"{now.isoformat()}#{channel}#{shop_id}",
            channel=channel,
            shop_id=shop_id,
            old=old,
            new=new,
            version=version,
            trigger=trigger,
            result=result,
            detail=detail[:500],
            expires_at=int((now + self.settings.audit_ttl).timestamp()),
        )

    def history(self, sku: str, limit: int = 50) -> list[StockAuditModel]:
        return list(StockAuditModel.query(sku, scan_index_forward=False, limit=limit))
