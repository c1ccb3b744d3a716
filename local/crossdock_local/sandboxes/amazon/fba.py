"""FBA inventory in the Amazon sandbox: `getInventorySummaries` with Amazon's paging quirks.

Summaries run in sellerSku order, 50 a page; `pagination.nextToken` (top level) is standard base64,
so `+`, `/` and `=` in it must be percent-encoded by the caller, and it expires 30 s (÷ rate_scale)
after it was issued: then, or when it is not one of ours, 400 InvalidInput "Next token is invalid or
expired". `startDateTime` keeps summaries whose `lastUpdatedTime` is later, must repeat with the token
and may not be over 18 months back. As on Amazon, a change of inbound quantities alone does not move
`lastUpdatedTime`. `inventoryDetails` appears only with `details=true`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from crossdock_local.sandboxes.amazon.fba_record import INBOUND, FbaRecord
from crossdock_local.sandboxes.amazon.query import InvalidInput
from crossdock_local.sandboxes.clock import parse_iso

PAGE_SIZE = 50
TOKEN_LIFETIME_S = 30.0
HISTORY = timedelta(days=548)  # 18 months
EXPIRED = "Next token is invalid or expired"
TOKEN_PREFIX = b"\xfb\xff\xbf"  # base64 "+/+/": a token sent back without percent-encoding breaks


class FbaStore:
    def __init__(self, rate_scale: float = 1.0) -> None:
        self.token_lifetime_s = TOKEN_LIFETIME_S / rate_scale
        self._records: dict[str, dict[str, FbaRecord]] = {}
        self._secret = secrets.token_bytes(32)
        self._expire_next = 0
        self._lock = threading.Lock()

    def set(self, shop_id: str, sku: str, at: datetime | None = None, **quantities: int) -> FbaRecord:
        """Set some quantities of a SKU; a change Amazon detects moves lastUpdatedTime to `at` (now)."""
        counts = [f.name for f in fields(FbaRecord) if f.name not in ("sku", "updated_at")]
        unknown = sorted(set(quantities) - set(counts))
        if unknown or any(not isinstance(v, int) or v < 0 for v in quantities.values()):
            raise ValueError(f"FBA quantities are {counts} as integers ≥ 0; got {quantities}")
        changes: dict[str, Any] = dict(quantities)
        with self._lock:
            shop = self._records.setdefault(shop_id, {})
            old = shop.get(sku)
            new = replace(old or FbaRecord(sku), **changes)
            counted = [name for name in counts if name not in INBOUND]  # inbound changes go unseen
            if old is None or any(getattr(old, name) != getattr(new, name) for name in counted):
                new = replace(new, updated_at=(at or datetime.now(UTC)).replace(microsecond=0))
            shop[sku] = new
            return new

    def expire_next_tokens(self, count: int = 1) -> None:
        """The next `count` tokens presented are treated as expired (a caller that paused too long)."""
        with self._lock:
            self._expire_next = count

    # -- tokens -----------------------------------------------------------------------------------
    def _sign(self, state: dict[str, Any]) -> str:
        text = json.dumps(state, sort_keys=True)
        return hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).hexdigest()[:24]

    def _token(self, shop_id: str, cursor: str, since: str | None) -> str:
        state = {"shop": shop_id, "after": cursor, "since": since, "at": time.monotonic()}
        payload = json.dumps({**state, "sig": self._sign(state)}).encode("utf-8")
        return base64.b64encode(TOKEN_PREFIX + payload).decode()

    def _cursor(self, shop_id: str, token: str, since: str | None) -> str:
        try:
            raw = base64.b64decode(token, validate=True)
            state: dict[str, Any] = json.loads(raw.removeprefix(TOKEN_PREFIX))
            signature = state.pop("sig") if raw.startswith(TOKEN_PREFIX) else None
        except (ValueError, TypeError, KeyError, AttributeError):
            raise InvalidInput(EXPIRED) from None
        with self._lock:
            forced, self._expire_next = self._expire_next > 0, max(0, self._expire_next - 1)
        if (
            forced
            or signature is None
            or not hmac.compare_digest(str(signature), self._sign(state))
            or state["shop"] != shop_id
            or time.monotonic() - float(state["at"]) > self.token_lifetime_s
        ):
            raise InvalidInput(EXPIRED)
        if state["since"] != since:
            raise InvalidInput("startDateTime must be repeated unchanged with nextToken.")
        return str(state["after"])

    # -- the page ---------------------------------------------------------------------------------
    def page(
        self, shop_id: str, marketplace_id: str, query: Mapping[str, str], now: datetime
    ) -> dict[str, Any]:
        """One getInventorySummaries body, or InvalidInput for the parameters Amazon refuses."""
        if query.get("granularityType") != "Marketplace":
            raise InvalidInput("granularityType is required and must be Marketplace.")
        for name in ("granularityId", "marketplaceIds"):
            if query.get(name) != marketplace_id:
                raise InvalidInput(f"Invalid {name}: {query.get(name, '')!r}.")
        if query.get("details", "false") not in ("true", "false"):
            raise InvalidInput("details must be true or false.")
        since_text = query.get("startDateTime")
        since = None
        if since_text is not None:
            try:
                since = parse_iso(since_text)
            except ValueError:
                raise InvalidInput(
                    "Query parameter [startDateTime] value is not a valid ISO date-time object"
                ) from None
            if since < now - HISTORY:
                raise InvalidInput("Query startDateTime cannot be earlier than 18 months before now.")
        cursor = self._cursor(shop_id, query["nextToken"], since_text) if "nextToken" in query else ""
        with self._lock:
            records = sorted(self._records.get(shop_id, {}).values(), key=lambda r: r.sku)
        matching = [r for r in records if r.sku > cursor and (since is None or r.updated_at > since)]
        page = matching[:PAGE_SIZE]
        details = query.get("details") == "true"
        body: dict[str, Any] = {
            "payload": {
                "granularity": {"granularityType": "Marketplace", "granularityId": marketplace_id},
                "inventorySummaries": [r.render(marketplace_id, details) for r in page],
            }
        }
        if len(matching) > PAGE_SIZE:
            body["pagination"] = {"nextToken": self._token(shop_id, page[-1].sku, since_text)}
        return body
