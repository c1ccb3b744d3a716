"""The push story of `crossdock local`, after the tracking story: 17TRACK pushes the parcels'
new scans to the tracking-push function URL (taken in as a poll would be), a captured push replayed
with its body altered is refused (401, nothing written); eBay's portal checks the account-deletion
endpoint, a forged deletion is refused (412, nothing erased), a genuine one erases that buyer's
orders and is recorded, and its resend is acknowledged without erasing again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from crossdock.orders.storage.privacy import PrivacyRecordModel
from crossdock.orders.storage.tables import OrderModel

from crossdock_local.demos.notices.wiring import PushWiring
from crossdock_local.demos.orders.shops import DemoShops
from crossdock_local.demos.tracking.carriers import TrackingSandboxes

EBAY_SHOP = "ebay-de"
TIMEOUT_S = 10


@dataclass
class PushOutcome:
    tracking_pushed: int = 0  # genuine pushes the receiver answered 200
    forged_status: int | None = None  # the receiver's answer to the altered push
    forged_changed_nothing: bool = False
    ebay_endpoint_checked: bool = False
    ebay_forged_status: int | None = None
    ebay_erased: int = 0  # orders of the deleted buyer erased
    ebay_resend_status: int | None = None
    ebay_records: int = 0
    lines: list[str] = field(default_factory=list)


class PushStory:
    def __init__(
        self, wiring: PushWiring, shops: DemoShops, carriers: TrackingSandboxes, say: Callable[[str], None]
    ) -> None:
        self.wiring, self.shops, self.carriers, self.say = wiring, shops, carriers, say
        self.outcome = PushOutcome(ebay_endpoint_checked=wiring.ebay_endpoint_checked)

    def tell(self) -> PushOutcome:
        self._tracking()
        if EBAY_SHOP in self.shops.plans:
            self._ebay()
        return self.outcome

    # -- 17TRACK ------------------------------------------------------------------------------------
    def _tracking(self) -> None:
        seventeen: Any = self.carriers.sandboxes.get("17track")
        if seventeen is None or not seventeen.webhook_url:
            return
        pushed = seventeen.webhook.push_updates()
        self.outcome.tracking_pushed = sum(1 for d in pushed if d.status == 200)
        self.say(
            f"(f) 17TRACK pushed {len(pushed)} parcels' new scans to the tracking-push function URL:"
            f" {self.outcome.tracking_pushed} answered 200, judged as a poll would judge them"
        )
        genuine = next(
            (d for d in reversed(seventeen.webhook.deliveries) if d.status == 200 and d.fault is None), None
        )
        if genuine is None:
            return
        altered = genuine.body.replace(b'"Delivered"', b'"Exception"').replace(b'"InTransit"', b'"Delivered"')
        if altered == genuine.body:
            altered = genuine.body + b" "
        before = _parcel(genuine.number)
        answer = requests.post(
            seventeen.webhook_url,
            data=altered,
            headers={"content-type": "application/json", "sign": genuine.sign},
            timeout=TIMEOUT_S,
        )
        self.outcome.forged_status = answer.status_code
        self.outcome.forged_changed_nothing = _parcel(genuine.number) == before
        self.say(
            f"(f) a captured push for {genuine.number} replayed with its body altered → HTTP {answer.status_code}"
            f" (signature does not verify), parcel {'unchanged' if self.outcome.forged_changed_nothing else 'CHANGED'}"
            " — refused with a log line and PushesRefused{system=17track, reason=forged}"
        )

    # -- eBay -------------------------------------------------------------------------------------
    def _ebay(self) -> None:
        ebay: Any = self.shops.sandboxes.get("ebay")
        if ebay is None or "ebay-account-deletion" not in self.wiring.urls:
            return
        self.say(
            "(g) eBay's developer portal checked the account-deletion endpoint (challenge response): "
            + ("accepted" if self.outcome.ebay_endpoint_checked else "NOT accepted")
        )
        buyer = _a_buyer(EBAY_SHOP)
        if buyer is None:
            self.say("⚠ (g) no stored eBay order names its buyer; the deletion is skipped")
            return
        theirs = _buyer_orders(EBAY_SHOP, buyer)
        user_id = f"u{abs(hash(buyer)) % 10**9}"
        forged = ebay.notifications.send_deletion(buyer, user_id, fault="forged")
        self.outcome.ebay_forged_status = forged.status
        untouched = all(OrderModel.get(f"ebay#{EBAY_SHOP}", oid).erased_at is None for oid in theirs)
        self.say(
            f"(g) a forged deletion for buyer {buyer} → HTTP {forged.status}, "
            f"{'nothing erased' if untouched else 'ORDERS ERASED'}"
        )
        genuine = ebay.notifications.send_deletion(buyer, user_id)
        erased = [oid for oid in theirs if OrderModel.get(f"ebay#{EBAY_SHOP}", oid).erased_at is not None]
        self.outcome.ebay_erased = len(erased)
        resend = ebay.notifications.resend()
        self.outcome.ebay_resend_status = resend.status
        self.outcome.ebay_records = sum(1 for _ in PrivacyRecordModel.scan())
        self.say(
            f"(g) eBay's deletion of {buyer} → HTTP {genuine.status}: {len(erased)} of their {len(theirs)} orders"
            f" erased (name, note, buyer and ship-to fields), recorded in the privacy table; eBay's resend →"
            f" HTTP {resend.status}, refused as replayed, nothing erased twice"
        )


def _parcel(number: str) -> list[tuple[Any, ...]]:
    from crossdock.tracking.storage.tables import ShipmentModel

    return sorted(
        (item.parcel_key, str(item.status), str(item.last_event_at), int(item.version or 0))
        for item in ShipmentModel.scan(ShipmentModel.tracking_number == number)
    )


def _a_buyer(shop_id: str) -> str | None:
    for item in OrderModel.query(f"ebay#{shop_id}"):
        if item.buyer_ref:
            return str(item.buyer_ref).split("#", 1)[1]
    return None


def _buyer_orders(shop_id: str, buyer: str) -> list[str]:
    return [
        item.order_id for item in OrderModel.query(f"ebay#{shop_id}") if item.buyer_ref == f"ebay#{buyer}"
    ]
