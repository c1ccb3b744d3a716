"""Task messages: what the planner writes is what the worker reads; anything else is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from crossdock.orders.usecases.tasks import InvalidTask, ShopTask


def test_round_trip():
    task = ShopTask(
        shop_id="amazon-jp",
        kind="reconcile",
        reason="reconcile",
        since=datetime(2026, 11, 20, tzinfo=UTC),
        until=datetime(2026, 11, 21, tzinfo=UTC),
    )
    assert ShopTask.from_json(json.dumps(task.body())) == task


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "not JSON"),
        ("[]", "object with a shop_id"),
        ('{"shop_id": ""}', "no shop_id"),
        ('{"shop_id": "s", "kind": "delete"}', "unknown task kind"),
        ('{"shop_id": "s", "extra": 1}', "unknown task fields"),
        ('{"shop_id": "s", "since": "yesterday"}', "bad since"),
        ('{"shop_id": "s", "since": "2026-11-21T00:00:00"}', "time zone"),
        ('{"shop_id": "s", "since": "2026-11-21T00:00:00Z", "until": "2026-11-20T00:00:00Z"}', "after since"),
    ],
)
def test_malformed_tasks_are_refused_with_a_reason(body, message):
    with pytest.raises(InvalidTask, match=message):
        ShopTask.from_json(body)
