"""A day of crossdock in the stores, written straight into the local stack's tables: what the status
screen and the daily digest must report, with figures a test can count."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from crossdock.core.alerts.message import Alert
from crossdock.core.alerts.report import Report, Section
from crossdock.core.alerts.sender import alert_sender
from crossdock.core.config import settings
from crossdock.orders.resources import ORDER_TASKS_QUEUE
from crossdock.orders.storage.tables import OrderModel
from crossdock.shops.storage.tables import ShopModel
from crossdock.stock.storage.tables import ListingModel, SkuModel, StockAuditModel
from crossdock.suppliers.storage.tables import SourcingModel
from crossdock.tracking.storage.source_health import STATE, minute_key
from crossdock.tracking.storage.tables import ShipmentModel, SourceHealthModel
from crossdock_local.aws.stack import LocalStack


@dataclass(frozen=True)
class Day:
    orders_uk: int = 3  # placed within the last day (one more, older, is not counted)
    pushes: int = 2
    refusals: int = 1
    dead_letters: int = 2  # on the order tasks DLQ


def seed(stack: LocalStack, now: datetime, day: Day = Day()) -> Day:
    _shops(now)
    _orders(now, day)
    _stock(now, day)
    _tracking(now)
    SourcingModel(
        "SCARF-SILK-90",
        reorder_status="blocked",
        blocked_since=now - timedelta(hours=5),
        last_decision={"summary": "SCARF-SILK-90: do not reorder — no fresh supplier data"},
    ).save()
    sqs = stack.client("sqs")
    for n in range(day.dead_letters):
        sqs.send_message(QueueUrl=stack.dead_letter_url(ORDER_TASKS_QUEUE), MessageBody=f'{{"n": {n}}}')
    sender = alert_sender(settings())
    sender.send(_alert(now - timedelta(hours=2)), now=now - timedelta(hours=2))
    sender.publish_report(
        Report(
            "suppliers-suggestions:x", "Purchase suggestions", now, sections=(Section("Details", ("- a",)),)
        ),
        now=now - timedelta(hours=1),
    )
    return day


def _alert(at: datetime) -> Alert:
    return Alert(
        dedupe_key="pull-auth:taobao:cn",
        subject="cn: taobao refused the credentials",
        shop_id="cn",
        channel="taobao",
        since=at,
        what_happened="The session expired.",
        what_we_did="Stopped pulling cn.",
        what_to_do="crossdock shops rotate cn --credentials FILE",
    )


def _shops(now: datetime) -> None:
    ShopModel(
        "uk",
        channel="shopify",
        secret_name="s",
        created_at=now,
        checkpoint=now - timedelta(minutes=4),
        last_run={"outcome": "done", "new": 3},
    ).save()
    ShopModel(
        "cn",
        channel="taobao",
        secret_name="s",
        created_at=now,
        checkpoint=now - timedelta(hours=3),
        auth_blocked_at=now - timedelta(hours=2),
        last_error="session expired",
    ).save()


def _orders(now: datetime, day: Day) -> None:
    ages = [timedelta(hours=n + 1) for n in range(day.orders_uk)] + [timedelta(days=2)]
    for n, age in enumerate(ages):
        OrderModel(
            "shopify#uk",
            f"o-{n}",
            channel="shopify",
            shop_id="uk",
            status="paid",
            raw_status="paid",
            created_at=now - age,
            modified_at=now - age,
            raw=zlib.compress(b"{}"),
            stored_at=now,
        ).save()


def _stock(now: datetime, day: Day) -> None:
    SkuModel("MUG-1", version=2, on_hand={"own:sz": 10}, reserved=0, policy={"buffer": "0"}).save()
    SkuModel("LAMP-2", version=1, on_hand={"own:sz": 4}, reserved=0, policy={"buffer": "0"}).save()
    ListingModel("MUG-1", "shopify#uk", channel="shopify", shop_id="uk", last_quantity=12).save()
    ListingModel("MUG-1", "taobao#cn", channel="taobao", shop_id="cn", last_quantity=10).save()
    ListingModel(
        "LAMP-2",
        "shopify#uk",
        channel="shopify",
        shop_id="uk",
        last_quantity=4,
        review_since=now - timedelta(hours=1),
        review_code="NOT_FOUND",
        review_reason="variant deleted",
        dirty_shop="shopify#uk",
        dirty_version=1,
        dirty_at=now - timedelta(hours=1),
    ).save()
    results = ["accepted"] * day.pushes + ["rejected"] * day.refusals
    for n, result in enumerate(results):
        at = now - timedelta(minutes=10 * (n + 1))
        _audit(f"{at.isoformat()}#shopify#uk", result)
    _audit(f"{(now - timedelta(days=3)).isoformat()}#shopify#uk", "accepted")  # before the window


def _audit(at_key: str, result: str) -> None:
    StockAuditModel(
        "MUG-1",
        at_key,
        channel="shopify",
        shop_id="uk",
        old=1,
        new=2,
        version=1,
        trigger="change",
        result=result,
        expires_at=0,
    ).save()


def _tracking(now: datetime) -> None:
    def parcel(number: str, status: str, **fields: object) -> None:
        ShipmentModel(
            f"4px#{number}",
            tracking_number=number,
            carrier="4px",
            shop_id="uk",
            status=status,
            registered_at=now - timedelta(days=9),
            handed_over_at=now - timedelta(days=9),
            **fields,
        ).save()

    parcel("LP001", "in_transit", stalled_since=now - timedelta(days=4))
    parcel("LP002", "pending", follow_up_since=now - timedelta(hours=6))
    parcel("LP003", "delivered", stalled_since=now - timedelta(days=6))  # final: no incident
    parcel("LP004", "in_transit")
    SourceHealthModel("yanwen", minute_key(now - timedelta(minutes=10)), answers=10, silent=4).save()
    SourceHealthModel("yanwen", STATE, demoted_since=now - timedelta(minutes=30)).save()
    SourceHealthModel("4px", minute_key(now - timedelta(minutes=5)), answers=20, silent=0).save()
