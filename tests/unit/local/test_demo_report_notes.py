"""The demo report shows stored buyer notes only as inert quotations."""

from __future__ import annotations

from crossdock_local.report import note_line
from crossdock_local.sandboxes.orderbook import NOTES


def test_the_longest_stored_note_is_quoted_inert() -> None:
    # Given the sandboxes' notes as crossdock stored them (markup, a link, an emoji, Chinese)
    stored = list(NOTES) * 2

    # When
    line = note_line(stored)

    # Then: counted, and the longest quoted with its markup escaped and its link defanged
    assert line.startswith("  buyer notes: 6 stored, e.g. «&lt;b&gt;urgent&lt;/b&gt; &amp; fragile")
    assert "https[:]//delivery.example.com" in line
    assert "<b>" not in line and "<i>" not in line and "https://" not in line


def test_a_control_character_in_a_note_never_reaches_the_terminal() -> None:
    # When
    line = note_line(["gift\x1b[31m\u202eredirect\r\nplease"])

    # Then: escape, bidi override and line breaks are gone; the line stays one line
    assert "\x1b" not in line and "\u202e" not in line and "\r" not in line and "\n" not in line


def test_a_shop_without_notes_says_so() -> None:
    # When / Then
    assert note_line([]) == "  buyer notes: none stored"
