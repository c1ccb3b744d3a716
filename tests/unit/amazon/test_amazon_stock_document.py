"""JSON_LISTINGS_FEED documents and processing reports, checked against the official JSON Schemas."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from crossdock.channels.amazon.feed_document import (
    MAX_MESSAGES,
    encode_document,
    feed_document,
    quantity_message,
    read_report,
    report_outcomes,
    unfinished_detail,
)
from crossdock.core.errors import InvalidResponseError
from crossdock.stock.rules.sellable import Listing, QuantityUpdate
from crossdock_local.sandboxes.amazon.feed_check import SCHEMA as SANDBOX_SCHEMA
from crossdock_local.sandboxes.amazon.feed_check import schema_problem
from jsonschema import Draft7Validator

MODELS = Path(__file__).resolve().parents[2] / "contracts" / "models" / "amazon"
FEED_SCHEMA = Draft7Validator(json.loads((MODELS / "listings-feed-schema-v2.json").read_text()))
REPORT_SCHEMA = Draft7Validator(
    json.loads((MODELS / "listings-feed-processing-report-schema-v2.json").read_text())
)


def updates(count: int) -> list[QuantityUpdate]:
    ref = {"product_type": "LUGGAGE", "marketplace_id": "ATVPDKIKX0DER"}
    return [
        QuantityUpdate(Listing(f"SKU-{i}", "amazon", "s1", {**ref, "seller_sku": f"SKU-{i}"}), i, 1)
        for i in range(count)
    ]


def report(issues: list[dict[str, Any]], processed: int) -> dict[str, Any]:
    errors = sum(1 for i in issues if i["severity"] == "ERROR")
    invalid = len({i["messageId"] for i in issues if i["severity"] == "ERROR" and "messageId" in i})
    body = {
        "header": {"sellerId": "A1", "version": "2.0", "feedId": "501"},
        "issues": issues,
        "summary": {
            "errors": errors,
            "warnings": len(issues) - errors,
            "messagesProcessed": processed,
            "messagesAccepted": processed - invalid,
            "messagesInvalid": invalid,
        },
    }
    assert not list(REPORT_SCHEMA.iter_errors(body)), "the fixture itself must be a valid report"
    return body


def test_a_quantity_feed_is_a_valid_listings_feed_document() -> None:
    # Given
    messages = [quantity_message(i + 1, f"SKU {i}/ü", "LUGGAGE", i) for i in range(3)]
    # When
    document = json.loads(encode_document(feed_document("A2EUQ1WTGCTBG2", messages)))
    # Then
    assert not list(FEED_SCHEMA.iter_errors(document))
    assert document["header"] == {"sellerId": "A2EUQ1WTGCTBG2", "version": "2.0", "issueLocale": "en_US"}
    assert document["messages"][2] == {
        "messageId": 3,
        "sku": "SKU 2/ü",
        "operationType": "PATCH",
        "productType": "LUGGAGE",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 2}],
            }
        ],
    }


def test_a_full_feed_holds_25000_messages_well_under_10_mib_and_no_more() -> None:
    # Given
    messages = [
        quantity_message(i + 1, f"SKU-{i:08d}", "HOME_BED_AND_BATH", 99999) for i in range(MAX_MESSAGES)
    ]
    # When
    raw = encode_document(feed_document("A1", messages))
    # Then
    assert len(raw) < 10 * 2**20
    assert schema_problem(json.loads(raw)) is None
    with pytest.raises(ValueError, match="25000"):
        feed_document("A1", [*messages, quantity_message(MAX_MESSAGES + 1, "X", "LUGGAGE", 1)])
    with pytest.raises(ValueError):
        feed_document("A1", [])


def test_the_sandbox_validates_against_the_same_official_schema_as_the_tests() -> None:
    # Given
    vendored_for_tests = (MODELS / "listings-feed-schema-v2.json").read_bytes()
    # When
    used_by_sandbox = SANDBOX_SCHEMA.read_bytes()
    # Then
    assert used_by_sandbox == vendored_for_tests


def test_the_sandbox_check_names_the_real_index_of_a_broken_message() -> None:
    # Given
    messages = [quantity_message(i + 1, f"S{i}", "LUGGAGE", 1) for i in range(40)]
    messages[37]["sku"] = ""
    # When
    problem = schema_problem(feed_document("A1", messages))
    # Then
    assert problem is not None and problem.startswith("messages/37/sku")


def test_errors_reject_their_message_and_every_other_message_is_accepted() -> None:
    # Given
    batch = updates(4)
    issues = [
        {"messageId": 2, "sku": "SKU-1", "code": "90220", "severity": "ERROR", "message": "bad quantity"},
        {"messageId": 2, "sku": "SKU-1", "code": "90221", "severity": "ERROR", "message": "bad type"},
        {"messageId": 3, "sku": "SKU-2", "code": "18448", "severity": "WARNING", "message": "incomplete"},
    ]
    # When
    outcomes = report_outcomes(batch, report(issues, 4), "501")
    # Then
    assert [o.status for o in outcomes] == ["accepted", "rejected", "accepted", "accepted"]
    assert outcomes[1].detail == "90220: bad quantity; 90221: bad type"
    assert [o.code for o in outcomes] == ["", "90220", "", ""]
    assert [o.update for o in outcomes] == batch


def mixed_issues() -> list[dict[str, Any]]:
    """Message 1 unknown to the catalog, 2 Amazon's internal error, 3 a warning, 4 both kinds."""
    internal = "An internal error has occurred. Please try again."
    return [
        {"messageId": 1, "sku": "SKU-0", "code": "8560", "severity": "ERROR", "message": "no ASIN"},
        {"messageId": 2, "sku": "SKU-1", "code": "4000000", "severity": "ERROR", "message": internal},
        {"messageId": 3, "sku": "SKU-2", "code": "18448", "severity": "WARNING", "message": "incomplete"},
        {"messageId": 4, "sku": "SKU-3", "code": "4000000", "severity": "ERROR", "message": internal},
        {"messageId": 4, "sku": "SKU-3", "code": "4000003", "severity": "ERROR", "message": "type"},
    ]


def test_permanent_errors_reject_transient_ones_fail_and_warnings_pass() -> None:
    # Given
    batch = updates(5)
    # When
    outcomes = report_outcomes(batch, report(mixed_issues(), 5), "501")
    # Then
    assert [(o.status, o.code) for o in outcomes] == [
        ("rejected", "8560"),
        ("failed", "4000000"),
        ("accepted", ""),
        ("rejected", "4000003"),
        ("accepted", ""),
    ]
    assert outcomes[1].detail == "4000000: An internal error has occurred. Please try again."
    assert outcomes[3].detail.endswith("; 4000003: type")


def test_an_unplaced_error_fails_only_the_messages_without_their_own_verdict() -> None:
    # Given
    batch = updates(5)
    unplaced = {"code": "4002006", "severity": "ERROR", "message": "header 'version' is wrong"}
    # When
    outcomes = report_outcomes(batch, report([*mixed_issues(), unplaced], 5), "501")
    # Then
    assert [(o.status, o.code) for o in outcomes] == [
        ("rejected", "8560"),
        ("failed", "4000000"),
        ("failed", "4002006"),
        ("rejected", "4000003"),
        ("failed", "4002006"),
    ]
    assert outcomes[4].detail == "feed 501: 4002006: header 'version' is wrong"


def test_a_fatal_feed_is_described_by_its_summary_and_first_error() -> None:
    # Given
    issues = [
        {"code": "18448", "severity": "WARNING", "message": "a warning first"},
        {"code": "4000000", "severity": "ERROR", "message": "An internal error has occurred."},
    ]
    fatal = report(issues, 0)
    # When
    described = unfinished_detail("123", "FATAL", fatal)
    # Then
    assert (
        described == "feed 123 FATAL: messagesProcessed 0, errors 1: 4000000: An internal error has occurred."
    )


def test_a_finished_feed_without_a_report_or_issues_names_its_status() -> None:
    # Given
    empty = report([], 0)
    # When
    without_report = unfinished_detail("123", "CANCELLED", None)
    without_issues = unfinished_detail("123", "FATAL", empty)
    # Then
    assert without_report == "feed 123 CANCELLED"
    assert without_issues == "feed 123 FATAL: messagesProcessed 0, errors 0"


def test_an_error_of_the_whole_document_or_a_short_summary_fails_what_it_cannot_place() -> None:
    # Given
    batch = updates(3)
    unplaced = [{"severity": "ERROR", "message": "The feed could not be parsed."}]
    placed = [{"messageId": 1, "sku": "SKU-0", "severity": "ERROR", "message": "no"}]
    # When
    whole = report_outcomes(batch, report(unplaced, 3), "501")
    short = report_outcomes(batch, report(placed, 2), "501")
    # Then
    assert {o.status for o in whole} == {"failed"}
    assert "could not be parsed" in whole[0].detail
    assert [o.status for o in short] == ["rejected", "failed", "failed"]
    assert short[1].detail == "feed 501 processed 2 of 3 messages"


@pytest.mark.parametrize("compress", [True, False])
def test_a_report_is_read_gzipped_or_plain(compress: bool) -> None:
    # Given
    body = report([], 1)
    raw = json.dumps(body).encode()
    # When
    read = read_report(gzip.compress(raw) if compress else raw, "GZIP" if compress else None)
    # Then
    assert read == body


@pytest.mark.parametrize(
    "raw",
    [b"", b"<html>maintenance</html>", gzip.compress(b"{}", mtime=0), b"\x1f\x8bnot gzip", b'{"issues": []}'],
    ids=["empty", "html", "gzipped-json-without-report", "gzip-magic-not-gzip", "json-not-report"],
)
def test_a_report_that_is_not_one_is_an_invalid_response(raw: bytes) -> None:
    # Given / When / Then
    with pytest.raises(InvalidResponseError):
        read_report(raw, "GZIP")
