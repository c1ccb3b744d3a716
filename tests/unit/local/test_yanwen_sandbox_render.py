"""The sandbox's Yanwen rendering: every code it emits reads back, through the adapter, as the scan's meaning."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from crossdock.carriers.yanwen.wire import STATUSES, event
from crossdock.tracking.rules.status import TrackingStatus
from crossdock_local.sandboxes.parcels import Scan
from crossdock_local.sandboxes.yanwen.server import STAGE_CODES, checkpoint, code_for, zone_text


@pytest.mark.parametrize(
    ("stage", "words", "is_return", "code"),
    [
        (TrackingStatus.INFO_RECEIVED, "Shipment information received", False, "OR10"),
        (TrackingStatus.IN_TRANSIT, "Parcel picked up by carrier", False, "PU10"),
        (TrackingStatus.IN_TRANSIT, "Departed from origin country airport", False, "LH20"),
        (TrackingStatus.IN_TRANSIT, "Arrived at destination country", False, "LM10"),
        (TrackingStatus.IN_TRANSIT, "Customs clearance completed", False, "IC60"),
        (TrackingStatus.OUT_FOR_DELIVERY, "Out for delivery", False, "LM25"),
        (TrackingStatus.AVAILABLE_FOR_PICKUP, "Ready for pickup", False, "LM30"),
        (TrackingStatus.DELIVERY_FAILED, "Recipient absent", False, "LM50"),
        (TrackingStatus.EXCEPTION, "Held by customs", False, "IC51"),
        (TrackingStatus.EXCEPTION, "Parcel damaged", False, "LM90"),
        (TrackingStatus.DELIVERED, "Delivered", False, "LM40"),
        (TrackingStatus.EXCEPTION, "Returned to sender", True, "LM54"),
    ],
)
def test_sandbox_codes_read_back_as_the_scans_meaning(
    stage: TrackingStatus, words: str, is_return: bool, code: str
) -> None:
    # Given
    at = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    scan = Scan(at=at, stage=stage, description=words, location="X", utc_offset_h=-5, is_return=is_return)

    # When
    back = event(checkpoint(scan))

    # Then
    assert code_for(scan) == code
    assert (back.status, back.raw_status, back.is_return, back.at) == (stage, code, is_return, at)


@pytest.mark.parametrize(
    ("hours", "text"), [(8, "+08"), (-5, "-05"), (0, "+00"), (5.5, "+05:30"), (-9.5, "-09:30")]
)
def test_sandbox_time_zones_look_like_yanwens(hours: float, text: str) -> None:
    assert zone_text(hours) == text


def test_every_code_the_sandbox_can_emit_is_in_the_adapters_table() -> None:
    assert set(STAGE_CODES.values()) | {"PU10", "LM10", "IC50", "IC60", "LM20", "IC51", "LM54"} <= set(
        STATUSES
    )
