"""After each run: record call outcomes and move the shop's circuit breaker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crossdock.shops.rules.breaker import Transition, judge
from crossdock.shops.usecases import alerts as shop_alerts

if TYPE_CHECKING:
    from crossdock.core.config import Settings
    from crossdock.core.ports import AlertSink
    from crossdock.shops.storage.health import CallHealthRepository


@dataclass
class ShopHealth:
    settings: Settings
    calls: CallHealthRepository
    alerts: AlertSink

    def after_run(self, shop: Any, report: Any, now: datetime) -> dict[str, Any]:
        """Shop fields to write with the lease release."""
        stats = report.stats
        self.calls.record(shop.shop_id, now, calls=stats.total_calls, failures=stats.failed_calls)
        hour = self.calls.last_hour(shop.shop_id, now, since=shop.breaker_closed_at)
        transition = judge(
            is_open=shop.breaker_open_since is not None,
            hour=hour,
            run_failures=stats.failed_calls,
            run_calls=stats.total_calls,
            threshold=self.settings.breaker_threshold,
            min_calls=self.settings.breaker_min_calls,
        )
        if transition is Transition.OPENED:
            self.alerts.send(shop_alerts.breaker_opened(shop, hour, now), now=now)
            return {"breaker_open_since": now}
        if transition is Transition.CLOSED:
            self.alerts.send(shop_alerts.breaker_closed(shop, now), now=now)
            return {"breaker_open_since": None, "breaker_closed_at": now}
        return {}
