"""The sandbox's Shopify search grammar and keyset cursors (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crossdock_local.sandboxes.shopify.search import decode_cursor, encode_cursor, parse_search

T = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0, second: int = 0) -> dict[str, datetime]:
    stamp = datetime(2025, 3, 1, hour, minute, second, tzinfo=UTC)
    return {"updated": stamp, "created": stamp}


def test_the_adapters_window_filter_is_inclusive_at_both_ends() -> None:
    # Given
    search = parse_search("updated_at:>='2025-03-01T10:00:00Z' AND updated_at:<='2025-03-01T12:00:00Z'")

    # When / Then
    assert not search.warnings
    assert [search.matches(at(h, m)) for h, m in [(9, 59), (10, 0), (12, 0), (12, 1)]] == [
        False,
        True,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [
        ("updated_at:>2025-03-01T12:00:00Z", at(12, 0, 1), at(12)),
        ("updated_at:<'2025-03-01T12:00:00+00:00'", at(11, 59, 59), at(12)),
        ('updated_at:"2025-03-01T12:00:00Z"', at(12), at(12, 0, 1)),
        (
            "updated_at:2025-03-01",
            at(23, 59, 59),
            {"updated": datetime(2025, 3, 2, tzinfo=UTC), "created": T},
        ),
        ("updated_at:>2025-02-28 created_at:<=2025-03-01T12:00:00Z", at(12), at(12, 0, 1)),
        ("updated_at:>='2025-03-01T13:00:00+01:00'", at(12), at(11, 59, 59)),
    ],
)
def test_comparators_quotes_dates_and_implicit_and(
    text: str, inside: dict[str, datetime], outside: dict[str, datetime]
) -> None:
    # When
    search = parse_search(text)

    # Then
    assert not search.warnings
    assert search.matches(inside) and not search.matches(outside)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("updatd_at:>='2025-03-01T10:00:00Z'", "updatd_at"),
        ("updated_at:>='yesterday-ish'", "updated_at"),
        ("updated_at:>=2025-03-01 OR status:open", "OR"),
    ],
)
def test_terms_shopify_cannot_use_are_ignored_with_a_warning(text: str, field: str) -> None:
    # When
    search = parse_search(text)

    # Then
    assert field in [warning["field"] for warning in search.warnings]


def test_span_bounds_reading_the_book() -> None:
    # Given
    search = parse_search("updated_at:>='2025-03-01T10:00:00Z' AND updated_at:<='2025-03-01T12:00:00Z'")

    # When
    low, high = search.span("updated")

    # Then: the end's whole second is included
    assert (low, high) == (at(10)["updated"], at(12, 0, 1)["updated"])


def test_cursors_are_opaque_base64_of_the_last_row() -> None:
    # When
    cursor = encode_cursor(5200000000007, "2025-03-01T12:00:00Z")

    # Then
    assert "2025" not in cursor
    assert decode_cursor(cursor) == ("2025-03-01T12:00:00Z", 5200000000007)
    with pytest.raises(ValueError):
        decode_cursor("not-a-cursor!")
