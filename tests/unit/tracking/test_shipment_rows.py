"""Shipment import files: CSV or JSON rows, every bad line named before anything is registered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock.tracking.rules.parcel import OrderRef
from crossdock.tracking.rules.policy import TrackingPolicy
from crossdock.tracking.storage.shipments import ShipmentRepository
from crossdock.tracking.usecases.register import NewShipment, ShipmentRegistrar, tracking_number_problem
from crossdock.tracking.usecases.shipment_rows import RowErrors, ShipmentRow, parse_shipment_file

from tests.support.aws import moto_resources

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
CHANNELS = ("taobao", "amazon", "shopify", "ebay")
HEADER = "tracking_number,carrier,shipped_at,channel,shop_id,order_id\n"


def parse(text: str) -> list[ShipmentRow]:
    return parse_shipment_file(text, now=NOW, channels=CHANNELS)


def problems(text: str) -> list[str]:
    with pytest.raises(RowErrors) as caught:
        parse(text)
    return caught.value.problems


def test_csv_rows_become_shipments_in_utc_with_their_orders() -> None:
    # Given a CSV with a BOM, an upper-case header, a blank line and an order-less row without a time
    text = (
        "\ufeffTracking_Number,Carrier,Shipped_At,Channel,Shop_Id,Order_Id\n"
        "4PX3001518625001CN,4PX Express,2026-11-20T08:00:00+08:00,taobao,taobao-cn,3141592653\n"
        "\n"
        "UH123456789YP,Yanwen,,,,\n"
    )
    # When parsed
    rows = parse(text)
    # Then
    assert rows == [
        ShipmentRow(
            2,
            "4PX3001518625001CN",
            "4PX Express",
            datetime(2026, 11, 20, 0, 0, tzinfo=UTC),
            OrderRef("taobao", "taobao-cn", "3141592653"),
        ),
        ShipmentRow(4, "UH123456789YP", "Yanwen", NOW, None),
    ]
    assert rows[1].shipment == NewShipment("UH123456789YP", "Yanwen", NOW, None)


def test_only_the_required_columns_are_needed() -> None:
    assert parse("carrier,tracking_number\nUSPS,9400111899223100000001\n") == [
        ShipmentRow(2, "9400111899223100000001", "USPS", NOW)
    ]


BAD_FIELDS = [
    # (row after the header, the reason's words)
    (",4PX,,,,", "tracking_number is missing"),
    ("4PX 3001 CN,4PX,,,,", "4 to 50 letters, digits or hyphens"),
    ("AB1,4PX,,,,", "4 to 50 letters, digits or hyphens"),
    ("4PX3001518625001CN,,,,,", "carrier is missing"),
    ("4PX3001518625001CN,4PX,2026-11-20T08:00:00,,,", "has no time zone"),
    ("4PX3001518625001CN,4PX,2026-11-20,,,", "has no time zone"),
    ("4PX3001518625001CN,4PX,yesterday,,,", "is not an ISO 8601 time"),
    ("4PX3001518625001CN,4PX,2027-01-01T00:00:00Z,,,", "is in the future"),
    ("4PX3001518625001CN,4PX,,taobao,,3141", "shop_id missing"),
    ("4PX3001518625001CN,4PX,,,,3141", "channel, shop_id missing"),
    ("4PX3001518625001CN,4PX,,lazada,shop,3141", "unknown channel 'lazada'"),
    ("4PX3001518625001CN,4PX,,,", "5 fields where the header has 6"),
]


@pytest.mark.parametrize(("row", "reason"), BAD_FIELDS, ids=[reason for _, reason in BAD_FIELDS])
def test_a_bad_field_is_named_with_its_line(row: str, reason: str) -> None:
    # Given a file whose third line is bad
    text = HEADER + "UH123456789YP,Yanwen,,,,\n" + row + "\n"
    # When parsed
    found = problems(text)
    # Then only that line is named, with the reason
    assert len(found) == 1 and found[0].startswith("line 3: ") and reason in found[0], found


@pytest.mark.parametrize("number", ["4PX 3001 CN", "AB1", "UH123456789YP!", "X" * 51])
def test_the_import_and_order_events_refuse_a_number_with_the_same_check(number: str) -> None:
    # Given a number the import refuses
    [problem] = problems(HEADER + f"{number},4PX,,,,\n")
    # When the same number arrives in an order event's shipment
    with moto_resources():
        report = ShipmentRegistrar(ShipmentRepository(), TrackingPolicy(), lambda: NOW).register(
            [NewShipment(number, "4PX", NOW)]
        )
    # Then both paths give the one function's reason, and the event's is not registered
    assert problem == f"line 2: {tracking_number_problem(number)}"
    assert report.new == [] and [r.reason for r in report.refused] == [tracking_number_problem(number)]


def test_a_shipped_at_within_clock_skew_of_now_is_accepted() -> None:
    soon = (NOW + timedelta(minutes=5)).isoformat()
    [row] = parse(f"tracking_number,carrier,shipped_at\nUH123456789YP,Yanwen,{soon}\n")
    assert row.shipped_at == NOW + timedelta(minutes=5)


def test_every_bad_line_is_named_in_file_order_and_a_repeated_number_is_the_second_line() -> None:
    # Given four problems, one of them a number given twice (in another case)
    text = (
        "tracking_number,carrier,shipped_at\n"
        "4PX3001518625001CN,4PX,2026-11-20T08:00:00Z\n"
        "UH123456789YP,,\n"
        "4px3001518625001cn,4PX,\n"
        "UG123456789YP,Yanwen,2026-11-20 08:00\n"
        "UV123456789YP,Yanwen,\n"
        "UV123456789YP,Yanwen,\n"
    )
    # When parsed
    found = problems(text)
    # Then
    assert found == [
        "line 3: carrier is missing",
        "line 4: tracking number 4px3001518625001cn was already given on line 2",
        "line 5: shipped_at '2026-11-20 08:00' has no time zone: give the time with Z or an offset, "
        "e.g. 2026-11-20T08:00:00+08:00",
        "line 7: tracking number UV123456789YP was already given on line 6",
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("number,carrier\nX,Y\n", "line 1: header must name tracking_number, carrier"),
        ("tracking_number,carrier,colour\nUH123456789YP,Yanwen,red\n", "line 1: header must name"),
        ("tracking_number,carrier,carrier\nUH123456789YP,Yanwen,Yanwen\n", "line 1: header must name"),
        ("tracking_number,carrier\n", "line 1: the file has no rows"),
        ("", "line 1: header must name"),
        ("[]", "line 1: the file has no rows"),
        ('[\n  {"tracking_number": "UH123456789YP", "carrier": "Yanwen"}\n', "line 3: not valid JSON"),
        ('[\n  {"tracking_number": "UH123456789YP" "carrier": "Yanwen"}\n]', "line 2: not valid JSON"),
        ('[{"tracking_number": "UH123456789YP", "carrier": "Yanwen"}] x', "line 1: not valid JSON"),
    ],
)
def test_a_file_that_cannot_be_read_as_rows_is_refused_whole(text: str, reason: str) -> None:
    found = problems(text)
    assert len(found) == 1 and found[0].startswith(reason), found


def test_json_rows_name_the_line_each_object_starts_on() -> None:
    # Given a JSON list with one good object and four bad ones
    text = (
        "[\n"
        '  {"tracking_number": "4PX3001518625001CN", "carrier": "4PX", "shipped_at": "2026-11-21T10:00:00Z",\n'
        '   "channel": "Shopify", "shop_id": "shopify-uk", "order_id": "1001"},\n'
        '  {"tracking_number": 9400111899223100000001, "carrier": "USPS"},\n'
        '  {"tracking_number": "UH123456789YP", "carrier": "Yanwen",\n'
        '   "colour": "red"},\n'
        '  "UG123456789YP",\n'
        '  {"tracking_number": "UV123456789YP", "carrier": ["Yanwen"]}\n'
        "]\n"
    )
    # When parsed
    found = problems(text)
    # Then
    assert found == [
        "line 4: tracking_number 9400111899223100000001 must be text (quote it: a JSON number loses leading zeros)",
        "line 5: unknown key(s) ['colour']",
        "line 7: expected an object, got str",
        "line 8: carrier must be text, got ['Yanwen']",
    ]


def test_a_good_json_file_keeps_the_channel_in_lower_case() -> None:
    text = (
        '[{"tracking_number": "4PX3001518625001CN", "carrier": "4PX", "channel": "Shopify",'
        ' "shop_id": "shopify-uk", "order_id": "1001"}]'
    )
    [row] = parse(text)
    assert row.order == OrderRef("shopify", "shopify-uk", "1001") and row.line == 1
