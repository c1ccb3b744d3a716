"""The Amazon sandbox refuses what searchOrders refuses, and its pagination tokens bind the request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock_local.sandboxes.amazon.query import InvalidInput, encode_token, parse_search_query

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
VALID = {"lastUpdatedAfter": "2025-06-01T08:00:00Z", "lastUpdatedBefore": "2025-06-01T11:58:00Z"}


@pytest.mark.parametrize(
    ("query", "complaint"),
    [
        (
            {"lastUpdatedAfter": "2025-06-01T08:00:00Z", "lastUpdatedBefore": "2025-06-01T11:58:01Z"},
            "2 minutes",
        ),
        ({"lastUpdatedBefore": "2025-06-01T11:00:00Z"}, "Exactly one"),
        ({**VALID, "createdAfter": "2025-06-01T08:00:00Z"}, "cannot be combined"),
        (
            {"createdAfter": "2025-06-01T08:00:00Z", "lastUpdatedBefore": "2025-06-01T11:00:00Z"},
            "cannot be combined",
        ),
        (
            {"lastUpdatedAfter": "2025-06-01T10:00:00Z", "lastUpdatedBefore": "2025-06-01T09:00:00Z"},
            "equal to or after",
        ),
        ({"lastUpdatedAfter": "yesterday"}, "ISO 8601"),
        ({"lastUpdatedAfter": "2025-06-01T08:00:00"}, "time zone"),
        ({**VALID, "maxResultsPerPage": "101"}, "between 1 and 100"),
        ({**VALID, "includedData": "BUYER,ITEMS"}, "ITEMS"),
        ({**VALID, "fulfillmentStatuses": "SHIPPED,LOST"}, "LOST"),
        ({**VALID, "marketplaceIds": ",".join(["ATVPDKIKX0DER"] * 51)}, "at most 50"),
    ],
)
def test_parameters_amazon_refuses_are_invalid_input(query: dict[str, str], complaint: str) -> None:
    # Given / When / Then
    with pytest.raises(InvalidInput, match=complaint):
        parse_search_query(query, now=NOW)


def test_a_window_ending_exactly_two_minutes_ago_is_accepted() -> None:
    # Given / When
    query = parse_search_query(VALID, now=NOW)
    # Then
    assert (query.by, query.after, query.before, query.page_size) == (
        "lastUpdated",
        datetime(2025, 6, 1, 8, tzinfo=UTC),
        datetime(2025, 6, 1, 11, 58, tzinfo=UTC),
        100,
    )


def test_a_token_continues_only_the_request_that_made_it() -> None:
    # Given
    first = parse_search_query({**VALID, "maxResultsPerPage": "10"}, now=NOW)
    token = encode_token(first, ("2025-06-01T09:00:00.000000+00:00", "42"), NOW)
    # When
    resized = parse_search_query({**VALID, "paginationToken": token, "includedData": "BUYER"}, now=NOW)
    # Then
    assert resized.cursor == ("2025-06-01T09:00:00.000000+00:00", "42")
    assert resized.page_size == 100
    with pytest.raises(InvalidInput, match="unchanged"):
        parse_search_query({**VALID, "paginationToken": token, "marketplaceIds": "ATVPDKIKX0DER"}, now=NOW)
    with pytest.raises(InvalidInput, match="expired"):
        parse_search_query({**VALID, "paginationToken": token}, now=NOW + timedelta(hours=24, seconds=1))
    with pytest.raises(InvalidInput, match="Invalid paginationToken"):
        parse_search_query({**VALID, "paginationToken": token[:-6]}, now=NOW)
