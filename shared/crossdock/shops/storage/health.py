"""Call outcomes per shop and minute, kept two hours, summed over the last hour for the breaker."""

from __future__ import annotations

from datetime import datetime, timedelta

from crossdock.shops.rules.breaker import HourHealth
from crossdock.shops.storage.tables import CallBucketModel


def _minute(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M")


class CallHealthRepository:
    def record(self, shop_id: str, at: datetime, *, calls: int, failures: int) -> None:
        if calls <= 0:
            return
        bucket = CallBucketModel(shop_id, _minute(at))
        bucket.update(
            actions=[
                CallBucketModel.calls.add(calls),
                CallBucketModel.failures.add(failures),
                CallBucketModel.expires_at.set(int((at + timedelta(hours=2)).timestamp())),
            ]
        )

    def last_hour(self, shop_id: str, now: datetime, *, since: datetime | None = None) -> HourHealth:
        """Calls in the last hour (or since `since`, when that is later)."""
        begin = now - timedelta(hours=1)
        if since is not None and since > begin:
            begin = since
        start = _minute(begin)
        calls = failures = 0
        for bucket in CallBucketModel.query(shop_id, CallBucketModel.minute > start):
            calls += int(bucket.calls)
            failures += int(bucket.failures)
        return HourHealth(calls=calls, failures=failures)
