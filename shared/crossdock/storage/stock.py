"""Central inventory repository: optimistic versioned SKU updates, idempotent reservations in one
DynamoDB transaction with their SKU, listings with version-checked acceptance, and the audit trail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from crossdock.config import Settings
from crossdock.storage.stock_models import ListingModel, ReservationModel, SkuModel, StockAuditModel

RETRIES = 8


class VersionConflict(RuntimeError):
    """The SKU kept changing under us (retried RETRIES times)."""


def _conflict(exc: Exception) -> bool:
    text = str(getattr(exc, "cause_response_code", "")) + str(exc)
    return "ConditionalCheckFailed" in text or "TransactionCanceled" in text


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

    def listings_of_shop(self, shop_key: str) -> list[ListingModel]:
        return list(ListingModel.by_shop.query(shop_key))

    def all_listings(self) -> Iterator[ListingModel]:
        return ListingModel.scan()

    def accept(
        self, listing: ListingModel, *, quantity: int, version: int, status: str, detail: str, now: datetime
    ) -> bool:
        """Record what the channel accepted, unless a newer version was recorded meanwhile."""
        try:
            listing.update(
                actions=[
                    ListingModel.last_quantity.set(quantity),
                    ListingModel.last_version.set(version),
                    ListingModel.accepted_at.set(now),
                    ListingModel.last_status.set(status),
                    ListingModel.last_detail.set(detail[:500]),
                ],
                condition=ListingModel.last_version < version,
            )
            return True
        except UpdateError as exc:
            if _conflict(exc):
                return False
            raise

    def note(self, listing: ListingModel, *, status: str, detail: str, **fields: Any) -> None:
        actions: list[Action] = [
            ListingModel.last_status.set(status),
            ListingModel.last_detail.set(detail[:500]),
        ]
        actions += [getattr(ListingModel, name).set(value) for name, value in fields.items()]
        listing.update(actions=actions)

    # -- audit ---------------------------------------------------------------------------------------------
    def audit(
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
    ) -> None:
        StockAuditModel(
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
        ).save()

    def history(self, sku: str, limit: int = 50) -> list[StockAuditModel]:
        return list(StockAuditModel.query(sku, scan_index_forward=False, limit=limit))
