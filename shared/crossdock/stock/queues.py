"""The stock job's FIFO queues: SKU changes grouped by SKU, flush requests grouped by shop."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from crossdock.core.queues import (
    CHANGES_PER_MESSAGE,
    SqsQueue,
    _fifo_id,
)


class StockChangeQueue(SqsQueue):
    """SKUs whose stock changed (FIFO; the same SKU version is sent once).

    One SKU: `{"sku", "version", "trigger"}`, grouped by SKU. A burst (an import, an FBA read) goes
    `CHANGES_PER_MESSAGE` SKUs to a message, `{"changes": [{"sku", "version"}, …], "trigger"}`: a
    10,000-SKU import is 100 messages in 10 SendMessageBatch calls, not 10,000 in 1,000. Order
    between messages does not matter to the marker — a mark keeps the highest version it was given.
    """

    def announce(self, changes: Sequence[dict[str, Any]]) -> int:
        if len(changes) <= 1:
            groups = [(_fifo_id(c["sku"]), _fifo_id(f"{c['sku']}:{c['version']}")) for c in changes]
            return self.send(changes, groups=groups)
        bodies, groups = [], []
        for start in range(0, len(changes), CHANGES_PER_MESSAGE):
            chunk = changes[start : start + CHANGES_PER_MESSAGE]
            pairs = [{"sku": c["sku"], "version": c["version"]} for c in chunk]
            bodies.append({"changes": pairs, "trigger": chunk[0].get("trigger", "")})
            content = hashlib.sha256(json.dumps(pairs, sort_keys=True).encode()).hexdigest()
            groups.append((_fifo_id(str(chunk[0]["sku"])), content))
        self.send(bodies, groups=groups)
        return len(changes)


class FlushTaskQueue(SqsQueue):
    """Shops whose marked listings are due for a flush (FIFO, grouped by shop: one flush per shop at
    a time). Never de-duplicated: a task that finds nothing marked costs one query, while a task
    dropped as a duplicate of one already consumed could leave a mark waiting for the planner."""

    def request(self, shop_keys: Iterable[str]) -> int:
        keys = list(shop_keys)
        groups = [(_fifo_id(key), uuid.uuid4().hex) for key in keys]
        return self.send([{"shop_key": key} for key in keys], groups=groups)
