"""The bench's parcel world, and the tracking sandboxes serving it from their own process.

`python -m bench.tracking_world` reads {"parcels", "now", "scales"} on stdin, starts the three
sandboxes on the world, prints one JSON line (credentials and endpoints per source), then waits for
a line on stdin and prints the sandboxes' call counters before it exits. Apart from moto's process,
so the sandboxes' answers do not queue behind moto's DynamoDB work for the one interpreter lock.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from crossdock_local.demos.tracking.carriers import TrackingSandboxes
from crossdock_local.sandboxes.parcels import Scan, WorldParcel, journey

MIX = (
    ("4px", "4PX", 0.35),
    ("yanwen", "Yanwen", 0.35),
    ("yunexpress", "YunExpress", 0.2),
    ("usps", "USPS", 0.1),
)


@dataclass(frozen=True)
class BenchParcel:
    carrier: str
    carrier_text: str
    number: str
    handed_over_at: datetime
    scans: list[Scan]


def number_for(carrier: str, i: int) -> str:
    return {"4px": f"4PX3{i:012d}CN", "yanwen": f"UH{i:09d}YP", "yunexpress": f"YT{i:014d}"}.get(
        carrier, f"9400{i:018d}"
    )


def parcels_for(count: int, now: datetime) -> Iterator[BenchParcel]:
    """The same parcels in every process (seeded): carrier mix, hand-over 30–240 h ago, journeys."""
    rng = random.Random(11)
    for i in range(count):
        roll, acc = rng.random(), 0.0
        carrier, text = MIX[-1][0], MIX[-1][1]
        for code, label, share in MIX:
            acc += share
            if roll < acc:
                carrier, text = code, label
                break
        start = now - timedelta(hours=rng.uniform(30, 240))
        scans = journey(start, rng, destination=rng.choice(["US", "DE", "GB"]))
        yield BenchParcel(carrier, text, number_for(carrier, i), start, scans)


def main() -> None:
    job = json.loads(sys.stdin.readline())
    now = datetime.fromisoformat(job["now"])
    with TrackingSandboxes(rate_scale=job["scales"]) as carriers:
        for parcel in parcels_for(job["parcels"], now):
            carriers.world.add(WorldParcel(parcel.number, parcel.carrier, parcel.scans))
        print(
            json.dumps(
                {
                    name: {"credentials": s.credentials, "endpoints": s.endpoints}
                    for name, s in carriers.sandboxes.items()
                }
            ),
            flush=True,
        )
        sys.stdin.readline()  # until the parent has measured
        print(json.dumps({name: dict(s.stats) for name, s in carriers.sandboxes.items()}), flush=True)


if __name__ == "__main__":
    main()
