"""JSON_LISTINGS_FEED documents and processing reports (pure).

Document (`listings-feed-schema-v2.json`): `{"header": {"sellerId", "version": "2.0", "issueLocale"},
"messages": [...]}`, 1–25,000 messages, one per update: `operationType` PATCH replacing
`/attributes/fulfillment_availability` with `[{"fulfillment_channel_code": "DEFAULT", "quantity": n}]`
(the seller-fulfilled quantity), the listing's `productType`, and `messageId` = the update's position
in the batch + 1, so a report can always be matched back to its updates.

Report (`listings-feed-processing-report-schema-v2.json`): `{"header", "issues": [{messageId?, sku?,
code?, severity, message}], "summary": {errors, warnings, messagesProcessed, messagesAccepted,
messagesInvalid}}`. A message with ERROR issues is refused: "rejected" (permanent) or "failed"
(transient) as issues.py judges them, with Amazon's code; a message without one was accepted. An
ERROR that names no message (the whole document) or a summary that processed fewer messages than were
sent leaves every message without its own verdict "failed": nothing proves it was applied, and a
listing must not go to review for a fault of the document. A FATAL or CANCELLED feed applied nothing:
`unfinished_detail` names the feed, its status and what the report says.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Sequence
from typing import Any

from crossdock.channels.amazon.issues import describe, issue_code, verdict
from crossdock.channels.amazon.normalize import CHANNEL
from crossdock.core.errors import InvalidResponseError
from crossdock.stock.rules.sellable import PushOutcome, QuantityUpdate

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


def report_outcomes(
    updates: Sequence[QuantityUpdate], report: dict[str, Any], feed_id: str
) -> list[PushOutcome]:
    """One outcome per update (message `i + 1`), from the report's issues and summary."""
    errors: dict[int, list[dict[str, Any]]] = {}
    unplaced: list[dict[str, Any]] = []
    for issue in report["issues"]:
        if not isinstance(issue, dict) or issue.get("severity") != "ERROR":
            continue
        message_id = issue.get("messageId")
        if isinstance(message_id, int) and 1 <= message_id <= len(updates):
            errors.setdefault(message_id, []).append(issue)
        else:
            unplaced.append(issue)
    processed = report["summary"].get("messagesProcessed")
    short = isinstance(processed, int) and processed < len(updates)
    outcomes = []
    for index, update in enumerate(updates):
        if index + 1 in errors:
            refused = verdict(errors[index + 1])
            outcomes.append(PushOutcome(update, refused.status, refused.detail, code=refused.code))
        elif unplaced:
            detail = f"feed {feed_id}: {'; '.join(describe(issue) for issue in unplaced)}"
            outcomes.append(PushOutcome(update, "failed", detail, code=issue_code(unplaced[0])))
        elif short:
            detail = f"feed {feed_id} processed {processed} of {len(updates)} messages"
            outcomes.append(PushOutcome(update, "failed", detail))
        else:
            outcomes.append(PushOutcome(update, "accepted", f"feed {feed_id}"))
    return outcomes


def unfinished_detail(feed_id: str, status: str, report: dict[str, Any] | None) -> str:
    """Why a FATAL or CANCELLED feed applied nothing: `feed <id> FATAL: messagesProcessed 0,
    errors 1: <first issue>`, or `feed <id> CANCELLED` when there is no report."""
    if report is None:
        return f"feed {feed_id} {status}"
    summary = report.get("summary") or {}
    counts = ", ".join(
        f"{name} {summary[name]}" for name in ("messagesProcessed", "errors") if name in summary
    )
    issues = [i for i in report.get("issues") or [] if isinstance(i, dict)]
    first = next((i for i in issues if i.get("severity") == "ERROR"), issues[0] if issues else None)
    reasons = [part for part in (counts, describe(first) if first else "") if part]
    return f"feed {feed_id} {status}: {': '.join(reasons)}" if reasons else f"feed {feed_id} {status}"
