"""Stock files: CSV or JSON rows, every bad line named before anything is applied."""

from __future__ import annotations

from decimal import Decimal

import pytest
from crossdock.usecases.own_stock import Adjustment
from crossdock.usecases.stock_file import parse_stock_file
from crossdock.usecases.stock_rows import RowErrors, StockRow


def test_csv_rows_with_optional_policy_columns():
    # Given a CSV with the optional columns, a BOM, a blank line and a quoted SKU
    text = '\ufeffsku,warehouse,on_hand,buffer,min_units\nA,own:sz,12,0.050,2\n\n"B,1",own:sz,0,,\n'
    # When parsed
    rows = parse_stock_file(text)
    # Then
    assert rows == [
        StockRow(2, "A", "own:sz", 12, Decimal("0.05"), 2),
        StockRow(4, "B,1", "own:sz", 0, None, None),
    ]


def test_every_bad_csv_line_is_named():
    # Given a file with five different problems
    text = (
        "sku,warehouse,on_hand\n"
        "A,own:sz,12\n"
        ",own:sz,1\n"
        "B,own:sz,-3\n"
        "C,fba:amz-us,4\n"
        "D,own:sz,1.5\n"
        "A,own:sz,7\n"
        "E,own:sz\n"
    )
    # When parsed
    with pytest.raises(RowErrors) as caught:
        parse_stock_file(text)
    # Then each line says what is wrong, in file order
    problems = caught.value.problems
    assert [p.split(":")[0] for p in problems] == ["line 3", "line 4", "line 5", "line 6", "line 7", "line 8"]
    assert "sku is missing" in problems[0]
    assert "whole number" in problems[1]
    assert "FBA stock is read from Amazon" in problems[2]
    assert "whole number" in problems[3]
    assert "already given on line 2" in problems[4]
    assert "2 fields where the header has 3" in problems[5]


def test_a_wrong_header_is_refused():
    with pytest.raises(RowErrors, match="line 1: header must be"):
        parse_stock_file("sku,qty\nA,1\n")


def test_conflicting_policies_for_one_sku_are_refused():
    text = "sku,warehouse,on_hand,buffer\nA,own:sz,1,0.05\nA,own:bj,2,0.1\n"
    with pytest.raises(RowErrors, match=r"line 3: buffer 0\.1 for A differs from line 2's 0\.05"):
        parse_stock_file(text)


def test_json_rows_name_the_line_each_object_starts_on():
    # Given a JSON list with a good and two bad objects
    text = (
        "[\n"
        '  {"sku": "A", "warehouse": "own:sz", "on_hand": 3, "buffer": "0.1"},\n'
        '  {"sku": "B", "warehouse": "own:sz", "on_hand": true},\n'
        '  {"sku": "C", "warehouse": "own:sz", "on_hand": 1,\n'
        '   "colour": "red"}\n'
        "]\n"
    )
    # When parsed
    with pytest.raises(RowErrors) as caught:
        parse_stock_file(text)
    # Then
    assert caught.value.problems == [
        "line 3: on_hand must be a whole number ≥ 0, got True",
        "line 4: unknown key(s) ['colour']",
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [('[\n{"sku": 1,\n', 3), ('[{"sku": "A"} {"sku": "B"}]', 1), ("", 1)],
)
def test_broken_json_or_empty_files_are_refused(text, line):
    with pytest.raises(RowErrors, match=f"line {line}:"):
        parse_stock_file(text)


def test_adjustment_bodies():
    # Given / When / Then
    assert (
        Adjustment.parse({"adjustment_id": "x1", "sku": "A", "warehouse": "own:sz", "delta": -2}).delta == -2
    )
    assert (
        Adjustment.parse({"adjustment_id": "x1", "sku": "A", "warehouse": "w", "on_hand": "5"}).on_hand == 5
    )
    for body in (
        {"adjustment_id": "x1", "sku": "A", "warehouse": "w"},
        {"adjustment_id": "x1", "sku": "A", "warehouse": "w", "on_hand": 1, "delta": 1},
        {"sku": "A", "warehouse": "w", "delta": 1},
        {"adjustment_id": "x1", "sku": "A", "warehouse": "fba:amz", "delta": 1},
        {"adjustment_id": "x1", "sku": "A", "warehouse": "w", "delta": 1.5},
        ["not", "an", "object"],
    ):
        with pytest.raises(ValueError):
            Adjustment.parse(body)
