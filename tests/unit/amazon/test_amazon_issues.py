"""Amazon listings issue codes judged permanent ("rejected") or transient ("failed"): the table,
the message fallback for codes it does not know, and one verdict from several ERRORs."""

from __future__ import annotations

import pytest
from crossdock.channels.amazon.issues import (
    ISSUE_CODES,
    PERMANENT,
    TRANSIENT,
    describe,
    issue_status,
    verdict,
)


def error(code: str | None, message: str = "m") -> dict[str, str]:
    issue = {"severity": "ERROR", "message": message}
    return {**issue, "code": code} if code is not None else issue


@pytest.mark.parametrize(
    "code",
    ["4000001", "4000003", "8560", "13013", "90220", "99022", "90000900", "4002008", "BAD_REQUEST"],
)
def test_unknown_skus_wrong_product_types_and_invalid_data_are_permanent(code: str) -> None:
    # Given / When
    status = issue_status(error(code, "An internal error has occurred. Please try again."))
    # Then
    assert status == PERMANENT  # the table wins over the message


@pytest.mark.parametrize("code", ["4000000", "5002", "InternalFailure", "QuotaExceeded"])
def test_amazons_internal_errors_and_throttling_are_transient(code: str) -> None:
    # Given / When
    status = issue_status(error(code, "anything"))
    # Then
    assert status == TRANSIENT


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("777777", "An internal error occurred while processing this message.", TRANSIENT),
        ("777777", "Service is temporarily unavailable.", TRANSIENT),
        ("777777", "Request was throttled, try again later.", TRANSIENT),
        (None, "We encountered an internal error. Please try again.", TRANSIENT),
        ("777777", "The value 'x' for 'color' is not allowed.", PERMANENT),
        (None, "Something we have never seen.", PERMANENT),
    ],
    ids=["internal", "temporarily", "throttled", "no-code-internal", "unknown-invalid", "no-code-unknown"],
)
def test_an_unknown_code_is_transient_only_when_its_message_says_amazon_failed(
    code: str | None, message: str, expected: str
) -> None:
    # Given / When
    status = issue_status(error(code, message))
    # Then
    assert status == expected


def test_the_table_knows_only_the_two_outcomes() -> None:
    # Given / When
    statuses = set(ISSUE_CODES.values())
    # Then
    assert statuses == {PERMANENT, TRANSIENT} == {"rejected", "failed"}


def test_one_permanent_error_among_transient_ones_rejects_with_its_code() -> None:
    # Given
    errors = [error("4000000", "Please try again."), error("8560", "no ASIN"), error("90220", "missing")]
    # When
    refused = verdict(errors)
    # Then
    assert (refused.status, refused.code) == ("rejected", "8560")
    assert refused.detail == "4000000: Please try again.; 8560: no ASIN; 90220: missing"


def test_only_transient_errors_fail_with_the_first_code() -> None:
    # Given
    errors = [
        error("4000000", "An internal error has occurred. Please try again."),
        error("5002", "resubmit"),
    ]
    # When
    refused = verdict(errors)
    # Then
    assert (refused.status, refused.code) == ("failed", "4000000")


def test_an_issue_without_a_code_is_described_by_its_message_and_has_no_code() -> None:
    # Given
    issue = error(None, "The feed could not be parsed.")
    # When
    refused = verdict([issue])
    # Then
    assert describe(issue) == "The feed could not be parsed."
    assert (refused.status, refused.code, refused.detail) == ("rejected", "", "The feed could not be parsed.")


def test_a_verdict_needs_an_issue() -> None:
    # Given / When / Then
    with pytest.raises(ValueError):
        verdict([])
