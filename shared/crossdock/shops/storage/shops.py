"""Shops: configuration, checkpoint, lease, breaker and auth state, run figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.expressions.update import Action

from crossdock.shops.storage.tables import ShopModel


class ShopNotFound(LookupError):
    pass


class CheckpointConflict(RuntimeError):
    """Someone else moved the checkpoint: this worker's view is stale."""


def _conditional_failed(exc: Exception) -> bool:
    cause = getattr(exc, "cause_response_code", None)
    return cause == "ConditionalCheckFailedException"


class ShopRepository:
    def get(self, shop_id: str) -> ShopModel:
        try:
            return ShopModel.get(shop_id, consistent_read=True)
        except DoesNotExist:
            raise ShopNotFound(f"no shop {shop_id!r}") from None

    def all(self) -> Iterator[ShopModel]:
        return ShopModel.scan()

    def by_push_key(self, key: str) -> ShopModel | None:
        """The subscribed shop a notice names (None: no shop is subscribed under that key). The index
        is eventually consistent; the shop is read again by its key, consistently."""
        for found in ShopModel.push_index.query(key, limit=2):
            return self.get(found.shop_id)
        return None

    def record_notice(self, shop_id: str, now: datetime) -> None:
        """Count one notice taken in for the shop (`status` shows it); the checkpoint is not touched."""
        ShopModel(shop_id).update(
            actions=[ShopModel.last_notice_at.set(now), ShopModel.notices.add(1)],
            condition=ShopModel.shop_id.exists(),
        )

    def save(self, shop: ShopModel) -> None:
        shop.save()

    def try_lease(self, shop_id: str, owner: str, now: datetime, ttl: timedelta) -> ShopModel | None:
        """Take the shop's pull lease unless another live worker holds it."""
        shop = self.get(shop_id)
        try:
            shop.update(
                actions=[ShopModel.lease_until.set(now + ttl), ShopModel.lease_owner.set(owner)],
                condition=ShopModel.lease_until.does_not_exist() | (ShopModel.lease_until < now),
            )
        except UpdateError as exc:
            if _conditional_failed(exc):
                return None
            raise
        return shop

    def release(self, shop: ShopModel, owner: str, **fields: Any) -> None:
        """Drop the lease and record the run's figures in one write."""
        actions: list[Action] = [ShopModel.lease_until.remove(), ShopModel.lease_owner.remove()]
        actions += [
            getattr(ShopModel, name).set(value) if value is not None else getattr(ShopModel, name).remove()
            for name, value in fields.items()
        ]
        try:
            shop.update(actions=actions, condition=ShopModel.lease_owner == owner)
        except UpdateError as exc:
            if not _conditional_failed(exc):
                raise

    def advance_checkpoint(self, shop: ShopModel, old: datetime | None, new: datetime) -> None:
        """Move the checkpoint forward only from the value this worker started with."""
        condition = ShopModel.checkpoint.does_not_exist() if old is None else ShopModel.checkpoint == old
        try:
            shop.update(actions=[ShopModel.checkpoint.set(new)], condition=condition)
        except UpdateError as exc:
            if _conditional_failed(exc):
                raise CheckpointConflict(f"checkpoint of {shop.shop_id} moved under us") from exc
            raise

    def create(self, shop: ShopModel) -> None:
        try:
            shop.save(condition=ShopModel.shop_id.does_not_exist())
        except PutError as exc:
            if _conditional_failed(exc):
                raise ValueError(f"shop {shop.shop_id!r} already exists") from exc
            raise
