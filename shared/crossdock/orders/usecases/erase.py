"""A platform's account deletion → that buyer erased from every stored order, and a record of it.

eBay requires every production app to take its Marketplace Account Deletion notifications
(developer.ebay.com/marketplace-account-deletion): the endpoint answers eBay's check, verifies each
notification's signature, and removes or anonymises what it stored of that user. Here:

1. the endpoint check (`challenge`) is answered by the platform's adapter;
2. a delivery is verified by the adapter before anything is read from it (forged or unreadable:
   refused, logged and counted, nothing written);
3. once per notification id (`core.inbound.once`; a resend is refused as `replayed`): every order
   stored under the user's buyer keys (user name and user id, `ErasureRequest.buyer_refs`) is erased
   (`OrderRepository.erase`), then one record is written (`PrivacyRecords`). A failure raises, the
   notification id is given back and the platform's resend runs the erasure again (it is idempotent).

Orders stored before orders carried a buyer key are not found by it (see the README).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crossdock.core.inbound import Once, refuse, taken
from crossdock.core.observability import logger
from crossdock.orders.ports import DeletionNotices
from crossdock.orders.rules.notices import NOT_ORDERS, InvalidNotice
from crossdock.orders.rules.privacy import ErasureRequest, username_digest
from crossdock.orders.storage.orders import OrderRepository
from crossdock.orders.storage.privacy import PrivacyRecord, PrivacyRecords

ERASED = "erased"
IGNORED = "ignored"


@dataclass
class AccountDeletions:
    platform: str
    notices: DeletionNotices
    orders: OrderRepository
    records: PrivacyRecords
    once: Once
    clock: Callable[[], datetime]

    def challenge(self, code: str, arrived_at: str) -> str:
        return self.notices.challenge(code, arrived_at)

    def take(self, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        """One delivery → its outcome: `erased` (or `ignored`, another topic), or a refusal with its
        reason (forged, malformed, replayed)."""
        received_at = self.clock()
        try:
            request = self.notices.read(headers, body)
        except InvalidNotice as exc:
            return refuse(self.platform, exc.reason, str(exc))
        if request is None:
            logger.info("notification of another topic ignored", extra={"system": self.platform})
            return {"outcome": IGNORED, "reason": NOT_ORDERS}
        return self.once(self.platform, request.request_id, lambda: self.erase(request, received_at))

    def erase(self, request: ErasureRequest, received_at: datetime) -> dict[str, Any]:
        taken(self.platform)
        keys = sorted({key for ref in request.buyer_refs() for key in self.orders.by_buyer(ref)})
        erased = [f"{shop}/{order}" for shop, order in keys if self.orders.erase(shop, order, self.clock())]
        record = PrivacyRecord(
            platform=request.platform,
            request_id=request.request_id,
            user_id=request.user_id,
            username_sha256=username_digest(request.username),
            event_date=request.event_date,
            attempt=request.attempt,
            received_at=received_at,
            erased_at=self.clock(),
            orders=tuple(erased),
        )
        first = self.records.put(record)
        logger.info(
            "account deletion: buyer erased",
            extra={
                "system": self.platform,
                "request_id": request.request_id,
                "user_id": request.user_id,
                "orders_erased": len(erased),
                "recorded": first,
            },
        )
        return {"outcome": ERASED, "request_id": request.request_id, "orders_erased": len(erased)}
