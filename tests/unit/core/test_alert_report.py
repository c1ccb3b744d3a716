"""Reports: rendered for people, with a CSV block a spreadsheet reads back exactly."""

from __future__ import annotations

from datetime import UTC, datetime

from crossdock.core.alerts.report import CSV_BEGIN, Report, Section, csv_rows_of, quoted

NOW = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


def test_a_report_renders_its_sections_and_an_ascii_subject() -> None:
    # Given a report with a section and a line of outside text
    report = Report(
        key="k",
        subject="Purchase suggestions — 2026-12-03",
        generated_at=NOW,
        intro="Two products need buying.",
        sections=(Section("Details", quoted(["<b>see https://evil.example</b>"])), Section("Empty", ())),
    )

    # When rendered
    body = report.render_body()

    # Then the subject is ASCII, sections are titled, outside text is inert, empty sections say so
    assert report.render_subject() == "[crossdock] Purchase suggestions  2026-12-03"
    assert body.splitlines()[:3] == ["Generated: 2026-12-03T01:00:00Z (UTC)", "", "Two products need buying."]
    assert "  &lt;b&gt;see https[:]//evil.example&lt;/b&gt;" in body
    assert "Empty\n  (none)" in body
    assert CSV_BEGIN not in body


def test_the_csv_block_reads_back_as_the_rows_with_formulas_neutralised() -> None:
    # Given rows with a comma, a quote, a newline, a formula and a negative number
    rows = (
        ("MUG-1", "12", 'shop, "big"', "=HYPERLINK(1)", "-3.5"),
        ("LAMP\n2", "1", "", "", ""),
    )
    report = Report(
        "k", "s", NOW, csv_header=("sku", "quantity", "supplier", "offer", "price"), csv_rows=rows
    )

    # When the body's CSV block is read as a sheet would
    parsed = csv_rows_of(report.render_body())

    # Then every cell comes back, one line each, a formula as text, a number as a number
    assert parsed == [
        ["sku", "quantity", "supplier", "offer", "price"],
        ["MUG-1", "12", 'shop, "big"', "'=HYPERLINK(1)", "-3.5"],
        ["LAMP 2", "1", "", "", ""],
    ]
