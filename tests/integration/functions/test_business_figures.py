"""The business figures the dashboard reads (crossdock.core.figures), emitted by the functions with
the dimensions the dashboard asks for: {service} plus the channel or the tracking source. Handlers
are loaded as the local runner loads them (the X-Ray SDK opens its UDP socket at import, hence not
a unit test)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

from crossdock.core import figures
from crossdock.core.http import CallStats
from crossdock.core.names import METRICS_NAMESPACE, SERVICE_NAME
from crossdock.core.observability import record_figures
from crossdock.orders.resources import ORDERS_WORKER
from crossdock.orders.usecases.pull import PullReport
from crossdock.tracking.resources import TRACKING_WORKER
from crossdock_local.aws.lambda_env import load_handler


def emitted(stdout: str) -> list[tuple[str, float, str, dict[str, str]]]:
    """(name, value, unit, dimensions) of every EMF document among a function's stdout lines."""
    found = []
    for line in stdout.splitlines():
        if not (line.startswith("{") and '"_aws"' in line):
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            assert directive["Namespace"] == METRICS_NAMESPACE
            (dimensions,) = directive["Dimensions"]
            for metric in directive["Metrics"]:
                value = document[metric["Name"]]
                found.append(
                    (
                        metric["Name"],
                        value[0] if isinstance(value, list) else value,
                        metric["Unit"],
                        {d: document[d] for d in dimensions},
                    )
                )
    return found


def test_the_orders_worker_emits_pulled_orders_api_calls_and_lag_per_channel(capsys):
    # Given a pull of a Shopify shop: 2 new and 1 changed order, 4 API calls, 90 s behind
    record_metrics = load_handler(replace(ORDERS_WORKER, handler="handler._record_metrics"))
    report = PullReport("uk", channel="shopify", new=2, updated=1, unchanged=5, lag_seconds=90.0)
    report.stats = CallStats(calls=Counter({"orders": 3, "token": 1}))
    capsys.readouterr()

    # When the worker records it
    record_metrics(report)

    # Then the three figures are emitted with {service, channel}
    shopify = {"service": SERVICE_NAME, figures.CHANNEL_DIMENSION: "shopify"}
    found = emitted(capsys.readouterr().out)
    assert (figures.ORDERS_PULLED, 3, "Count", shopify) in found
    assert (figures.CHANNEL_API_CALLS, 4, "Count", shopify) in found
    assert (figures.CHECKPOINT_LAG, 90.0, "Seconds", shopify) in found


def test_a_busy_shop_emits_no_channel_figure(capsys):
    # Given a task that found its shop busy (nothing pulled, the channel not even read)
    record_metrics = load_handler(replace(ORDERS_WORKER, handler="handler._record_metrics"))
    capsys.readouterr()

    # When the worker records it
    record_metrics(PullReport("uk", outcome="busy"))

    # Then no per-channel figure is emitted
    names = {name for name, *_ in emitted(capsys.readouterr().out)}
    assert not names & {figures.ORDERS_PULLED, figures.CHANNEL_API_CALLS, figures.CHECKPOINT_LAG}


def test_the_tracking_worker_emits_answers_and_silences_per_source(capsys):
    # Given the tracking worker's per-source metric function (SourceHealth calls it)
    source_metric = load_handler(replace(TRACKING_WORKER, handler="handler.source_metric"))
    capsys.readouterr()

    # When a refresh of 4PX counted 10 answers, 3 of them silent
    source_metric("4px", figures.TRACKING_ANSWERS, 10, "Count")
    source_metric("4px", figures.TRACKING_SILENT, 3, "Count")

    # Then both are emitted with {service, source}, as the dashboard's silent rate reads them
    fourpx = {"service": SERVICE_NAME, figures.SOURCE_DIMENSION: "4px"}
    assert emitted(capsys.readouterr().out) == [
        (figures.TRACKING_ANSWERS, 10, "Count", fourpx),
        (figures.TRACKING_SILENT, 3, "Count", fourpx),
    ]


def test_stock_figures_go_out_once_per_channel(capsys):
    # Given a push's figures per channel (what StockPushReport.per_channel gives)
    per_channel = {
        "ebay": {figures.STOCK_PUSHES: 0, figures.STOCK_REFUSALS: 2},
        "shopify": {figures.STOCK_PUSHES: 5, figures.STOCK_REFUSALS: 1},
    }
    capsys.readouterr()

    # When the stock functions record them
    record_figures(figures.CHANNEL_DIMENSION, per_channel)

    # Then each figure is one document per channel, zeros included (a quiet channel still plots)
    found = emitted(capsys.readouterr().out)
    assert sorted(found, key=str) == sorted(
        [
            (name, value, "Count", {"service": SERVICE_NAME, figures.CHANNEL_DIMENSION: channel})
            for channel, named in per_channel.items()
            for name, value in named.items()
        ],
        key=str,
    )
