"""JSON_LISTINGS_FEED documents and processing reports (pure).

Document (`listings-feed-schema-v2.json`): `{"header": {"sellerId", "version": "2.0", "issueLocale"},
"messages": [...]}`, 1–25,000 messages, one per update: `operationType` PATCH replacing
`/attributes/fulfillment_availability` with `[{"fulfillment_channel_code": "DEFAULT", "quantity": n}]`
(the seller-fulfilled quantity), the listing's `productType`, and `messageId` = the update's position
in the batch + 1, so a report can always be matched back to its updates.

Report (`listings-feed-processing-report-schema-v2.json`): `{"header", "issues": [{messageId?, sku?,
code?, severity, message}], "summary": {errors, warnings, messagesProcessed, messagesAccepted,
messagesInvalid}}`. An ERROR issue rejects its message; a message without one was accepted. An ERROR
that names no message (the whole document) or a summary that processed fewer messages than were sent
leaves every message without its own verdict "failed": nothing proves it was applied.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Sequence
from typing import Any

from crossdock.adapters.amazon_normalize import CHANNEL
from crossdock.adapters.errors import InvalidResponseError
from crossdock.domain.stock import PushOutcome, QuantityUpdate

FEED_TYPE = "JSON_LISTINGS_FEED"
CONTENT_TYPE = "application/json; charset=UTF-8"
VERSION = "2.0"
MAX_MESSAGES = 25_000  # schema `maxItems` (raised from 10,000 in 2025)
QUANTITY_PATH = "/attributes/fulfillment_availability"
SELLER_FULFILLED = "DEFAULT"
GZIP_MAGIC = b"\x1f\x8b"


def quantity_message(message_id: int, sku: str, product_type: str, quantity: int) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": product_type,
        "patches": [
            {
                "op": "replace",
                "path": QUANTITY_PATH,
                "value": [{"fulfillment_channel_code": SELLER_FULFILLED, "quantity": quantity}],
            }
        ],
    }


def feed_document(seller_id: str, messages: Sequence[dict[str, Any]]) -> dict[str, Any]:
    if not 1 <= len(messages) <= MAX_MESSAGES:
        raise ValueError(f"a listings feed carries 1 to {MAX_MESSAGES} messages, not {len(messages)}")
    header = {"sellerId": seller_id, "version": VERSION, "issueLocale": "en_US"}
    return {"header": header, "messages": list(messages)}


def encode_document(document: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (25,000 quantity messages stay far below the advised 10 MiB)."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read_report(raw: bytes, compression: str | None) -> dict[str, Any]:
    """A downloaded processing report → its JSON, or InvalidResponseError when it is not one."""
    if raw[:2] == GZIP_MAGIC:  # also when a transport already undid Content-Encoding
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise InvalidResponseError(CHANNEL, f"processing report is not valid GZIP: {exc}") from exc
    elif compression not in (None, "GZIP"):
        raise InvalidResponseError(CHANNEL, f"unknown compressionAlgorithm {compression!r}")
    try:
        report = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidResponseError(CHANNEL, f"processing report is not JSON: {raw[:120]!r}") from exc
    if (
        not isinstance(report, dict)
        or not isinstance(report.get("issues"), list)
        or not isinstance(report.get("summary"), dict)
    ):
        raise InvalidResponseError(CHANNEL, f"processing report lacks issues/summary: {raw[:200]!r}")
    return report


def _describe(issue: dict[str, Any]) -> str:
    code = issue.get("code")
    return f"{code}: {issue.get('message', '')}" if code else str(issue.get("message", ""))


def report_outcomes(
    updates: Sequence[QuantityUpdate], report: dict[str, Any], feed_id: str
) -> list[PushOutcome]:
    """One outcome per update (message `i + 1`), from the report's issues and summary."""
    errors: dict[int, list[str]] = {}
    unplaced: list[str] = []
    for issue in report["issues"]:
        if not isinstance(issue, dict) or issue.get("severity") != "ERROR":
            continue
        message_id = issue.get("messageId")
        if isinstance(message_id, int) and 1 <= message_id <= len(updates):
            errors.setdefault(message_id, []).append(_describe(issue))
        else:
            unplaced.append(_describe(issue))
    processed = report["summary"].get("messagesProcessed")
    short = isinstance(processed, int) and processed < len(updates)
    outcomes = []
    for index, update in enumerate(updates):
        if index + 1 in errors:
            outcomes.append(PushOutcome(update, "rejected", "; ".join(errors[index + 1])))
        elif unplaced:
            outcomes.append(PushOutcome(update, "failed", f"feed {feed_id}: {'; '.join(unplaced)}"))
        elif short:
            detail = f"feed {feed_id} processed {processed} of {len(updates)} messages"
            outcomes.append(PushOutcome(update, "failed", detail))
        else:
            outcomes.append(PushOutcome(update, "accepted", f"feed {feed_id}"))
    return outcomes
