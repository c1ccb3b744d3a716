"""Every source's standing in one scan (status, digest and report read it): counters summed over the
period, the demotion state, and what falls outside the period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from crossdock.tracking.storage.source_health import HealthWindow, SourceHealthRepository

from tests.support.aws import moto_resources

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
def health():
    with moto_resources():
        yield SourceHealthRepository()


def test_counters_are_summed_over_the_period_with_each_sources_demotion(health):
    # Given 4PX answering in two minutes of the last hour and once two hours ago, demoted; Yanwen
    # answering once; 17TRACK known only by its (promoted back) state
    health.record("4px", NOW - timedelta(minutes=5), HealthWindow(answers=10, good=2, silent=8, calls=10))
    health.record(
        "4px", NOW - timedelta(minutes=1), HealthWindow(answers=5, silent=5, calls=6, failed_calls=1)
    )
    health.record("4px", NOW - timedelta(hours=2), HealthWindow(answers=100, good=100, calls=100))
    health.set_demoted("4px", NOW - timedelta(minutes=1))
    health.record("yanwen", NOW - timedelta(minutes=3), HealthWindow(answers=30, good=30, calls=1))
    health.set_demoted("17track", NOW - timedelta(hours=3))
    health.set_demoted("17track", None)

    # When the last hour is read
    standing = health.every_source_since(NOW - timedelta(hours=1))

    # Then each source's counters cover that hour only, sorted by source
    assert list(standing) == ["17track", "4px", "yanwen"]
    fourpx = standing["4px"]
    assert (fourpx.window.answers, fourpx.window.good, fourpx.window.silent) == (15, 2, 13)
    assert (fourpx.window.calls, fourpx.window.failed_calls) == (16, 1)
    assert fourpx.demoted_since == NOW - timedelta(minutes=1)
    assert standing["yanwen"].window.answers == 30 and standing["yanwen"].demoted_since is None
    assert standing["17track"].window == HealthWindow() and standing["17track"].demoted_since is None


def test_a_source_seen_only_before_the_period_is_left_out(health):
    # Given a source whose only minute is two hours old
    health.record("yanwen", NOW - timedelta(hours=2), HealthWindow(answers=3, good=3, calls=1))

    # When the last hour is read / the last three hours are read
    # Then it is absent from the first and counted in the second
    assert health.every_source_since(NOW - timedelta(hours=1)) == {}
    assert health.every_source_since(NOW - timedelta(hours=3))["yanwen"].window.answers == 3
