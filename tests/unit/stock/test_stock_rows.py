"""Stock files: CSV or JSON rows, every bad line named before anything is applied."""

from __future__ import annotations

from decimal import Decimal

import pytest
from crossdock.core.rows import RowErrors
from crossdock.stock.usecases.file import parse_stock_file
from crossdock.stock.usecases.own_stock import Adjustment
from crossdock.stock.usecases.rows import StockRow


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
    assert "on_hand: '-3' is negative" in problems[1]
    assert "FBA stock is read from Amazon" in problems[2]
    assert "on_hand: '1.5' is not a whole number" in problems[3]
    assert "already given on line 2" in problems[4]
    assert "2 fields where the header has 3" in problems[5]


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("3.5", "line 2: on_hand: '3.5' is not a whole number"),
        ("1e3", "line 2: on_hand: '1e3' is not a whole number"),
        ("abc", "line 2: on_hand: 'abc' is not a number"),
        ("1000001", "line 2: on_hand: '1000001' is above the ceiling of 1,000,000 units"),
        ("1" + "0" * 39, "line 2: on_hand: '1" + "0" * 39 + "' is above the ceiling"),
    ],
)
def test_a_count_that_cannot_be_true_refuses_the_whole_file(cell, problem):
    # Given a good row and a row whose count is fractional, in exponent form, not a number or absurd
    text = f"sku,warehouse,on_hand\nA,own:sz,{cell}\nB,own:sz,4\n"
    # When parsed
    with pytest.raises(RowErrors) as caught:
        parse_stock_file(text)
    # Then the bad line is the only problem, naming the value — and no row comes back to apply
    assert len(caught.value.problems) == 1 and caught.value.problems[0].startswith(problem)


def test_the_ceiling_is_the_configured_one_and_holds_for_min_units_too():
    # Given a ceiling of 100 units
    # When a file with exactly 100 on hand is parsed, and one with 101 min_units
    rows = parse_stock_file("sku,warehouse,on_hand\nA,own:sz,100\n", ceiling=100)
    with pytest.raises(RowErrors) as caught:
        parse_stock_file("sku,warehouse,on_hand,min_units\nA,own:sz,1,101\n", ceiling=100)
    # Then the ceiling itself is accepted, one unit above it refused
    assert rows[0].on_hand == 100
    assert caught.value.problems == [
        "line 2: min_units: '101' is above the ceiling of 100 units (CROSSDOCK_STOCK_MAX_UNITS)"
    ]


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
        "line 3: on_hand: True is not a number",
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


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"on_hand": -3}, "on_hand of adjustment x1 (SKU A in own:sz): -3 is negative"),
        ({"on_hand": 3.5}, "on_hand of adjustment x1 (SKU A in own:sz): 3.5 is not a whole number"),
        ({"on_hand": "abc"}, "on_hand of adjustment x1 (SKU A in own:sz): 'abc' is not a number"),
        (
            {"on_hand": 10**40},
            "on_hand of adjustment x1 (SKU A in own:sz): 100000000000… (41 digits) is above",
        ),
        ({"delta": "1.5"}, "delta of adjustment x1 (SKU A in own:sz): '1.5' is not a whole number"),
        ({"delta": True}, "delta of adjustment x1 (SKU A in own:sz): True is not a number"),
        (
            {"delta": -1_000_001},
            "delta of adjustment x1 (SKU A in own:sz): -1000001 is beyond ±1,000,000 units",
        ),
    ],
)
def test_an_adjustment_count_that_cannot_be_true_is_refused_by_name(change, message):
    # Given an adjustment body with an impossible count
    body = {"adjustment_id": "x1", "sku": "A", "warehouse": "own:sz", **change}
    # When parsed
    with pytest.raises(ValueError) as caught:
        Adjustment.parse(body)
    # Then the error names the adjustment, its SKU and warehouse, and the value
    assert str(caught.value).startswith(message)
