"""The parcels' truth for the tracking story: a journey on the tracking sandboxes' world for every
registered parcel, and the small shipment file an operator imports (`crossdock shipments import`),
with one parcel that has not moved for four days."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crossdock.tracking.storage.tables import ShipmentModel

from crossdock_local.sandboxes.parcels import ParcelWorld, Scan, WorldParcel, journey

# Where each demo shop's buyers live (a journey ends there); taobao-cn ships cross-border to the US.
DESTINATION_BY_SUFFIX = {"us": "US", "jp": "JP", "uk": "GB", "de": "DE"}
# Journeys run at 50-90 % of the usual pace: every gap stays under the 72-hour stall limit, so only
# the staged parcel stalls, and the week of order history has some parcels delivered.
PACE = (0.5, 0.9)
STALLED_FOR = timedelta(days=4)
# The seller's warehouse export: (carrier as written there, carrier in the world, number format).
IMPORTED = (
    ("4PX Express", "4px", "4PX3002{:07d}CN"),
    ("4PX Express", "4px", "4PX3002{:07d}CN"),
    ("4PX", "4px", "4PX3002{:07d}CN"),
    ("4PX", "4px", "4PX3002{:07d}CN"),
    ("Yanwen", "yanwen", "UG9{:08d}YP"),
    ("燕文物流", "yanwen", "UG9{:08d}YP"),
    ("YunExpress", "yunexpress", "YT24031{:06d}"),
    ("YunExpress", "yunexpress", "YT24031{:06d}"),
    ("China Post", "china-post", "LX{:09d}CN"),
)
STALLED_ROW = ("China Post", "china-post", "LX{:09d}CN")


def destination_of(shop_id: str | None) -> str:
    return DESTINATION_BY_SUFFIX.get((shop_id or "").rsplit("-", 1)[-1], "US")


def add_journeys(world: ParcelWorld, rng: random.Random, items: Iterable[ShipmentModel]) -> int:
    """A journey from its hand-over for every registered parcel the world does not know yet."""
    added = 0
    for item in sorted(items, key=lambda i: i.parcel_key):
        if world.parcel(item.tracking_number) is not None:
            continue
        destination = destination_of(item.shop_id)
        scans = journey(item.handed_over_at, rng, destination=destination, hours=rng.uniform(*PACE))
        world.add(WorldParcel(item.tracking_number, item.carrier, scans, destination))
        added += 1
    return added


def stalled_journey(
    world: ParcelWorld, rng: random.Random, number: str, carrier: str, now: datetime
) -> list[Scan]:
    """Four scans, the last one `STALLED_FOR` ago: the parcel has not moved since."""
    scans = journey(now - timedelta(days=9), rng, destination="DE", stops_at=4)
    shift = (now - STALLED_FOR) - scans[-1].at
    scans = [Scan(s.at + shift, s.stage, s.description, s.location, s.utc_offset_h) for s in scans]
    world.add(WorldParcel(number, carrier, scans, "DE"))
    return scans


def write_import_file(
    world: ParcelWorld, rng: random.Random, folder: Path, now: datetime
) -> tuple[Path, str]:
    """The parcels the seller shipped outside the channels, as a CSV `crossdock shipments import`
    reads; each gets its journey. Returns the file and the number of the parcel that stalled."""
    rows = ["tracking_number,carrier,shipped_at"]
    for text, carrier, number_format in IMPORTED:
        number = number_format.format(rng.randrange(10**6))
        start = now - timedelta(hours=rng.uniform(30, 120))
        world.add(
            WorldParcel(
                number, carrier, journey(start, rng, destination="DE", hours=rng.uniform(*PACE)), "DE"
            )
        )
        rows.append(f"{number},{text},{_iso(start)}")
    text, carrier, number_format = STALLED_ROW
    stalled = number_format.format(rng.randrange(10**6))
    scans = stalled_journey(world, rng, stalled, carrier, now)
    rows.append(f"{stalled},{text},{_iso(scans[0].at)}")
    path = folder / "shipments.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, stalled


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
