"""The supplier story's set-up and read-back, the operator's way: the local 1688 gateway, its
credentials stored (`crossdock suppliers platform 1688`), every offer published on it, each product's
suppliers added (`crossdock suppliers add`); then the alert e-mails' lines and stored orders read back.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from crossdock.core.config import Settings
from crossdock.orders.storage.tables import OrderModel
from crossdock.suppliers.rules.sourcing import SourcingEntry, SupplierLink
from crossdock.suppliers.storage.sourcing import SourcingRepository
from crossdock.suppliers.usecases.admin import connect_platform

from crossdock_local.demos.suppliers.catalogue import SOURCING, DemoOffer
from crossdock_local.sandboxes.alibaba1688.server import Alibaba1688Sandbox
from crossdock_local.sandboxes.base import fault_profile

OTHER_VARIANT_STOCK = 300  # the two-colour offer's other colour, which our SKU does not map to


@contextlib.contextmanager
def alibaba_sandbox(*, rate_scale: float, faults: str, seed: int) -> Iterator[Alibaba1688Sandbox]:
    """The local 1688 gateway, at the demo's rate factor and fault profile."""
    sandbox = Alibaba1688Sandbox(faults=fault_profile(faults, seed=seed + 16), rate_scale=rate_scale)
    sandbox.start()
    try:
        yield sandbox
    finally:
        sandbox.stop()


def publish(sandbox: Alibaba1688Sandbox, offer: DemoOffer, now: datetime) -> None:
    """The offer on the gateway, its update time `offer.age` before `now`; a stuck one keeps serving
    that snapshot while the live offer sells out."""
    updated = None if offer.age is None else now - offer.age
    product, price = offer.product_id, offer.price
    if offer.sku_id is None:
        sandbox.add_offer(
            product,
            updated_at=updated,
            amount_on_sale=offer.stock,
            price_ranges=[(1, price)],
            time_format=offer.time_format,
        )
    else:  # a two-colour offer: our SKU is one of its variants
        spec = hashlib.sha256(f"{product}:{offer.sku_id}".encode()).hexdigest()[:32]
        other = (str(int(offer.sku_id) + 17), spec[::-1], price, OTHER_VARIANT_STOCK)
        sandbox.add_offer(
            product,
            updated_at=updated,
            skus=[(offer.sku_id, spec, price, offer.stock), other],
            price_ranges=[(1, price)],
            time_format=offer.time_format,
        )
    if offer.stuck:
        sandbox.set_stuck(product)
        sandbox.set_stock(product, 0, updated_at=now)


def refresh(sandbox: Alibaba1688Sandbox, now: datetime) -> None:
    """The suppliers kept updating their offers during the run: each is as old at `now` as the
    catalogue says, however long the demo took (a stuck cache does not move: it only gets older)."""
    for product in SOURCING:
        for offer in product.offers:
            if not offer.stuck and offer.age is not None:
                sandbox.set_updated(offer.product_id, now - offer.age)


def set_up_sourcing(sandbox: Alibaba1688Sandbox, settings: Settings, now: datetime) -> str:
    """Store the platform's secret, publish every offer, add every product; the secret's name."""
    secret = connect_platform(settings, "1688", sandbox.credentials, sandbox.endpoints)
    catalog = SourcingRepository()
    for product in SOURCING:
        links = []
        for priority, offer in enumerate(product.offers, start=1):
            publish(sandbox, offer, now)
            links.append(SupplierLink(offer.supplier_id, "1688", offer.product_id, offer.sku_id, priority))
        entry = SourcingEntry.create(
            product.sku,
            links,
            limit_minutes=product.limit_minutes,
            lead_time_days=product.lead_time_days,
            pack_size=product.pack_size,
        )
        catalog.save_entry(entry, reorder_qty=product.reorder_qty, now=now)
    return secret


def detail_lines(path: Path) -> list[str]:
    """The detail lines of an alert e-mail, as purchasing reads them."""
    text = path.read_text(encoding="utf-8").split("\nDetails (", 1)[-1]
    return [html.unescape(line[4:]) for line in text.splitlines() if line.startswith("  - ")]


def stored(channel_name: str, shop_id: str, order_id: str) -> bool:
    try:
        OrderModel.get(f"{channel_name}#{shop_id}", order_id, consistent_read=True)
    except OrderModel.DoesNotExist:
        return False
    return True
