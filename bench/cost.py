"""`make bench` — what crossdock costs to run on AWS: per 100,000 orders pulled, per 10,000 SKUs
pushed, per 10,000 parcels tracked, at published us-east-1 prices (bench/costs/prices.py).

Measured on the local stack (bench/costs/scenarios.py), counted from the real traffic
(bench/costs/meter.py): each handler invocation's duration (rounded up to 1 ms) × its configured
memory, every DynamoDB call's request units from its item sizes, SQS requests per 64 KB chunk, SNS
publishes and e-mails, Secrets Manager calls, the functions' log bytes; then scaled linearly from
the measured size to the unit. Fixed monthly costs (secrets, dashboard, alarms, custom metrics, the
schedules' idle runs) are printed apart. Goal: ≤ $2 per 100,000 orders.

    python -m bench.cost [--orders-per-shop 200] [--skus 1000] [--parcels 1000] [--markdown]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from crossdock.tracking.rules.policy import CHECK_EVERY
from crossdock.tracking.rules.status import TrackingStatus
from crossdock_local.demos.orders.shops import CATALOGUE
from rich.console import Console

from bench.common import ROOT
from bench.costs import scenarios
from bench.costs.meter import Meter
from bench.costs.prices import PRICES, PRICES_CHECKED
from bench.costs.report import Fixed, Row, markdown, money, show
from bench.costs.scenarios import Measured
from bench.costs.units import Usage, cost, goal_line, merged, per_unit
from infra.runtime import DEFAULT_STACK_NAME

JOURNEY_DAYS = 12  # a typical China → EU/US parcel in transit (the tracking demo's journeys: 6–20 days)
TEMPLATE = ROOT / "cdk.out" / f"{DEFAULT_STACK_NAME}.template.json"  # `make synth` writes it
CARRIER_SECRETS = 3  # 4PX, Yanwen, 17TRACK (crossdock_local.demos.tracking.carriers)


def refreshes_per_journey() -> int:
    """Checks of a parcel in transit over a journey, at the tracking policy's in-transit interval."""
    every = CHECK_EVERY[TrackingStatus.IN_TRANSIT]
    return int(JOURNEY_DAYS * 24 * 3600 // every.total_seconds())


# Each measured run's row: its key, the row's label, what it counts, and per how many the cost is given.
PER_UNIT = (
    ("orders", "per 100,000 orders pulled", "orders", 100_000),
    ("stock", "per 10,000 SKUs pushed (3 channels)", "SKUs", 10_000),
    ("tracking", "per 10,000 parcels tracked, one refresh each", "parcels", 10_000),
)


def rows_for(runs: dict[str, Measured]) -> list[Row]:
    rows = []
    for key, label, counted, per in PER_UNIT:
        if key in runs:
            r = runs[key]
            rows.append(
                Row(
                    label,
                    f"{r.count:,} {counted}, {r.wall_s:.0f} s",
                    per_unit(cost(r.usage, PRICES), r.count, per),
                )
            )
    if "tracking" in runs:
        r = runs["tracking"]
        checks = refreshes_per_journey()
        registration = cost(r.parts["registration"], PRICES)
        refresh = cost(r.parts["refresh"], PRICES)
        journey = {s: registration[s] + checks * refresh[s] for s in registration}
        rows.append(
            Row(
                f"per 10,000 parcels tracked over a {JOURNEY_DAYS}-day journey",
                f"derived: registration + {checks} refreshes",
                per_unit(journey, r.count, 10_000),
            )
        )
    return rows


def alarms_in_template(path: Path = TEMPLATE) -> int | None:
    """CloudWatch alarms in the synthesized stack (`make synth`), or None without a template."""
    if not path.exists():
        return None
    resources = json.loads(path.read_text(encoding="utf-8")).get("Resources", {})
    return sum(1 for r in resources.values() if r.get("Type") == "AWS::CloudWatch::Alarm")


def fixed_costs(runs: dict[str, Measured]) -> list[Fixed]:
    shops = len(CATALOGUE)
    items = [
        Fixed("Secrets Manager, per shop", PRICES.secret_month, "one secret per shop's credentials"),
        Fixed(
            "Secrets Manager, tracking sources",
            CARRIER_SECRETS * PRICES.secret_month,
            f"{CARRIER_SECRETS} carrier/aggregator secrets",
        ),
        Fixed("CloudWatch dashboard", PRICES.dashboard_month, "one per deployment"),
    ]
    metrics = merged(*(r.usage for r in runs.values()), *(r.idle for r in runs.values())).metrics
    items.append(
        Fixed(
            "CloudWatch custom metrics (EMF)",
            len(metrics) * PRICES.custom_metric_month,
            f"{len(metrics)} metric series seen in this run ({shops} shops, 3 sources); grows with shops and sources",
        )
    )
    alarms = alarms_in_template()
    if alarms is None:
        items.append(
            Fixed("CloudWatch alarms", 0.0, "run `make synth` first to count them from the template")
        )
    else:
        items.append(
            Fixed(
                "CloudWatch alarms",
                alarms * PRICES.alarm_month,
                f"{alarms} standard alarms in {TEMPLATE.name}",
            )
        )
    for r in runs.values():
        if r.idle_label:
            monthly = sum(cost(r.idle, PRICES).values()) * r.idle_per_month
            items.append(Fixed(f"idle runs: {r.idle_label}", monthly, r.idle_basis))
    return items


def details(runs: dict[str, Measured]) -> list[str]:
    lines = []
    for r in runs.values():
        u: Usage = r.usage
        functions = ", ".join(
            f"{name} {n}× {u.billed_ms[name] / n:,.0f} ms" for name, n in sorted(u.invocations.items())
        )
        lines.append(
            f"{r.name}: {functions}; {u.gb_seconds:,.1f} GB-s; DynamoDB {u.wru:,.0f} WRU, {u.rru:,.1f} RRU "
            f"in {sum(u.dynamodb_calls.values()):,} calls; SQS {u.sqs_standard:,} standard + {u.sqs_fifo:,} FIFO "
            f"requests; SNS {u.sns_publishes} publishes, {u.email_deliveries} e-mails; Secrets Manager "
            f"{u.secrets_calls} calls; logs {u.log_bytes / 1024:,.0f} KB; {u.schedule_fires} scheduled fires (free)"
        )
        lines += [f"{r.name}: {note}" for note in r.notes]
    return lines


def notes(runs: dict[str, Measured], rate_scales: dict[str, float]) -> list[str]:
    found = []
    if "orders" in runs:
        r = runs["orders"]
        total = sum(per_unit(cost(r.usage, PRICES), r.count, 100_000).values())
        found.append("Goal " + goal_line(total))
    scales = ", ".join(f"{name} ×{scale:g}" for name, scale in rate_scales.items() if name in runs)
    found += [
        f"Prices: {PRICES_CHECKED}, named with their pages in bench/costs/prices.py.",
        "Lambda: handler durations measured on the local stack (moto's DynamoDB over HTTP on 127.0.0.1) ×"
        " each function's memory_mb, arm64; a first invocation includes its import (cold start). Rate"
        f" limits ran sped up ({scales}), so waits on them are shorter than in AWS.",
        "DynamoDB: units computed from item sizes (moto returns a constant ConsumedCapacity); writes include"
        " their global secondary index entries; UpdateItem sized by its new image.",
        "SQS: includes the event source mapping's receives and deletes (the local runner's), plus a few"
        " empty polls per drain; not the mapping's idle long polls.",
        "CloudWatch Logs: the functions' JSON logs and EMF lines; Lambda's own platform lines"
        " (START/END/REPORT) not included. X-Ray: one trace per invocation (upper bound).",
        "Secrets Manager: the calls of one warm process; each new Lambda container fetches its secrets again.",
    ]
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders-per-shop", type=int, default=200)
    parser.add_argument("--skus", type=int, default=1_000)
    parser.add_argument("--parcels", type=int, default=1_000)
    parser.add_argument("--only", default="orders,stock,tracking")
    parser.add_argument("--markdown", action="store_true", help="print the tables as markdown (README)")
    args = parser.parse_args(argv)
    rate_scales = {"orders": 1.0, "stock": 5.0, "tracking": 4.0}
    wanted = args.only.split(",")
    console = Console(stderr=args.markdown)
    began = time.perf_counter()
    runs: dict[str, Measured] = {}
    with Meter().installed() as meter:
        if "orders" in wanted:
            console.print(f"measuring: orders, {len(CATALOGUE)} shops × {args.orders_per_shop:,} orders …")
            runs["orders"] = scenarios.orders(meter, args.orders_per_shop, rate_scales["orders"])
        if "stock" in wanted:
            console.print(f"measuring: stock, {args.skus:,} SKUs × 3 channels …")
            runs["stock"] = scenarios.stock(meter, args.skus, rate_scales["stock"])
        if "tracking" in wanted:
            console.print(f"measuring: tracking, {args.parcels:,} parcels …")
            runs["tracking"] = scenarios.tracking(meter, args.parcels, rate_scales["tracking"])
    rows, fixed = rows_for(runs), fixed_costs(runs)
    told = notes(runs, rate_scales)
    if args.markdown:
        print(markdown(rows, fixed, told))
    else:
        show(console, rows, fixed, told)
    for line in details(runs):
        console.print(f"  {line}", highlight=False)
    console.print(
        f"bench.cost ran in {time.perf_counter() - began:.0f} s (fixed costs total "
        f"{money(sum(f.monthly for f in fixed))}/month)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
