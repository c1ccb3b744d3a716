"""The Shopify sandbox's bulk-operation side: the results download (a signed storage link: no Shopify
token, only the link's signature) and the knobs tests and benches turn (how many reads an operation
takes, a failure with an errorCode, expired links, expired operations)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from crossdock_local.sandboxes.base import Reply, Request
from crossdock_local.sandboxes.shopify import bulk_resolvers  # importing it attaches the resolvers
from crossdock_local.sandboxes.shopify.bulk_state import BulkOperations, Operation

if TYPE_CHECKING:
    from crossdock_local.sandboxes.shopify.store import Store

RESULTS_PATH = bulk_resolvers.RESULTS_PATH
# What a storage service answers a signed link past its expiry (Google Cloud Storage's XML error).
EXPIRED = (
    "<?xml version='1.0' encoding='UTF-8'?><Error><Code>ExpiredToken</Code>"
    "<Message>The provided token has expired.</Message></Error>"
)


class ShopifyBulkHelpers:
    _stores: dict[str, Store]

    def bulk(self, shop_id: str) -> BulkOperations:
        return self._stores[shop_id].bulk

    def bulk_operations(self, shop_id: str) -> list[Operation]:
        return list(self.bulk(shop_id).operations.values())

    def bulk_polls(self, shop_id: str, reads: int) -> None:
        """Reads an operation takes to complete (default 2)."""
        self.bulk(shop_id).polls_to_complete = reads

    def fail_next_bulk(self, shop_id: str, error_code: str) -> None:
        """The next operation to end ends FAILED with `error_code` (ACCESS_DENIED, INTERNAL_SERVER_ERROR, TIMEOUT)."""
        self.bulk(shop_id).failures.append(error_code)

    def expire_bulk_links(self, shop_id: str) -> None:
        self.bulk(shop_id).expire_links()

    def expire_bulk_operations(self, shop_id: str) -> None:
        self.bulk(shop_id).expire()

    def _bulk_results(self, request: Request, match: re.Match[str]) -> Reply:
        token = request.query.get("X-Goog-Signature", "")
        number = int(match["number"])
        for store in self._stores.values():
            body = store.bulk.download(number, token)
            if body is not None:
                return Reply(200, body, {"Content-Type": "application/jsonl"})
        return Reply(400, EXPIRED, {"Content-Type": "application/xml; charset=UTF-8"})
