"""Window planning: overlap, settle lag, per-call span and history limits."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from crossdock.orders.rules.windows import ChannelLimits, Window, plan_windows
from hypothesis import given
from hypothesis import strategies as st

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
TAOBAO = ChannelLimits(
    max_window=timedelta(days=1), settle_lag=timedelta(minutes=3), history=timedelta(days=89)
)


def test_incremental_window_overlaps_checkpoint_and_stops_before_settle_lag():
    # Given a checkpoint ten minutes ago
    # When planned
    windows = plan_windows(
        checkpoint=NOW - timedelta(minutes=10),
        now=NOW,
        limits=TAOBAO,
        overlap=timedelta(minutes=5),
        backfill=timedelta(days=90),
    )
    # Then one window from checkpoint − overlap to now − lag
    assert windows == [Window(NOW - timedelta(minutes=15), NOW - timedelta(minutes=3))]


def test_first_run_backfill_is_cut_into_day_chunks_within_history():
    # Given no checkpoint and a 90-day backfill on a channel that keeps 89 days
    windows = plan_windows(
        checkpoint=None, now=NOW, limits=TAOBAO, overlap=timedelta(minutes=5), backfill=timedelta(days=90)
    )
    # Then chunks of at most a day, oldest first, starting inside the history
    assert windows[0].start >= NOW - timedelta(days=89)
    assert all(w.span <= timedelta(days=1) for w in windows)
    assert windows[-1].end == NOW - timedelta(minutes=3)
    assert all(a.end == b.start for a, b in itertools.pairwise(windows))


def test_nothing_settled_yet_means_no_window():
    assert (
        plan_windows(checkpoint=NOW, now=NOW, limits=TAOBAO, overlap=timedelta(0), backfill=timedelta(0))
        == []
    )


def test_empty_window_is_refused():
    with pytest.raises(ValueError, match="empty window"):
        Window(NOW, NOW)


@given(
    checkpoint_age=st.integers(min_value=0, max_value=200 * 86400),
    overlap=st.integers(min_value=0, max_value=3600),
)
def test_windows_cover_everything_since_checkpoint_contiguously(checkpoint_age, overlap):
    # Given any checkpoint and overlap
    checkpoint = NOW - timedelta(seconds=checkpoint_age)
    windows = plan_windows(
        checkpoint=checkpoint,
        now=NOW,
        limits=TAOBAO,
        overlap=timedelta(seconds=overlap),
        backfill=timedelta(days=90),
    )
    # Then the windows are contiguous, within limits, and reach the settled end
    if windows:
        assert windows[0].start == max(
            checkpoint - timedelta(seconds=overlap), NOW - TAOBAO.history + timedelta(minutes=10)
        )
        assert windows[-1].end == NOW - TAOBAO.settle_lag
        assert all(a.end == b.start for a, b in itertools.pairwise(windows))
        assert all(w.span <= TAOBAO.max_window for w in windows)
