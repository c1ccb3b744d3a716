"""Deleting a shop's stored orders, when an operator removes the shop with `--purge`.

Reads only the keys of the shop's partition (one Query) and deletes them in batches of 25
(BatchWriteItem; PynamoDB retries what DynamoDB leaves unprocessed). Safe to run again: a second
run finds what the first left, or nothing. The caller disables the shop first, so no pull writes
new orders into the partition while it is emptied.
"""

from __future__ import annotations

from crossdock.orders.storage.tables import OrderModel


def shop_key(channel: str, shop_id: str) -> str:
    """The orders table's partition of one shop (`OrderModel.shop_key`)."""
    return f"{channel}#{shop_id}"


def count_orders(channel: str, shop_id: str) -> int:
    """How many orders are stored for the shop (what a purge would delete)."""
    return int(OrderModel.count(shop_key(channel, shop_id)))


def purge_orders(channel: str, shop_id: str) -> int:
    """Delete every stored order of the shop; returns how many were deleted."""
    deleted = 0
    keys = OrderModel.query(shop_key(channel, shop_id), attributes_to_get=["shop_key", "order_id"])
    with OrderModel.batch_write() as batch:
        for item in keys:
            batch.delete(item)
            deleted += 1
    return deleted
