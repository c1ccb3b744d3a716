"""What the operations room reads; tests pass fakes, `compose` the stores of every job."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from crossdock.operations.views import (
    AlertLine,
    BlockedProduct,
    QueueDepth,
    ShopLine,
    StockAgreement,
    TrackingIncidents,
)


class Stores(Protocol):
    def shops(self, now: datetime, since: datetime) -> tuple[ShopLine, ...]: ...

    def stock(self, since: datetime) -> StockAgreement: ...

    def tracking(self, now: datetime) -> TrackingIncidents: ...

    def blocked(self) -> tuple[BlockedProduct, ...]: ...

    def dead_letters(self) -> tuple[QueueDepth, ...]: ...

    def alerts(self, since: datetime, limit: int) -> tuple[AlertLine, ...]: ...
