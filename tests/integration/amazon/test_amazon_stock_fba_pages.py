"""FBA summaries over HTTP: reader ↔ Amazon sandbox getInventorySummaries, every page, only
fulfillable counted, startDateTime, expiring nextTokens, throttling and fault shapes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from crossdock.channels.amazon.fba import AmazonFba
from crossdock.core.errors import InvalidResponseError, RequestRejectedError, RetriesExhaustedError
from crossdock_local.sandboxes.amazon.server import AmazonSandbox
from crossdock_local.sandboxes.base import FaultProfile

from tests.support.amazon_sandbox import SHOP, add_shop, context

SCALE = 10.0  # 20 pages a second, burst 2; a nextToken lives 3 s


@pytest.fixture
def sandbox() -> Iterator[AmazonSandbox]:
    server = AmazonSandbox(rate_scale=SCALE)
    server.start()
    yield server
    server.stop()


def stocked(sandbox: AmazonSandbox, count: int, at: datetime | None = None) -> None:
    for i in range(count):
        sandbox.set_fba(
            SHOP,
            f"FBA-{i:03d}",
            at=at,
            fulfillable=i,
            inbound_working=3,
            inbound_shipped=2,
            inbound_receiving=1,
            reserved=4,
            researching=1,
            unfulfillable=2,
        )


def test_every_page_is_read_and_only_fulfillable_units_are_sellable(sandbox: AmazonSandbox) -> None:
    # Given
    reader = AmazonFba(context(add_shop(sandbox), scale=SCALE))
    stocked(sandbox, 120)
    # When
    summaries = list(reader.summaries())
    # Then
    assert [s.seller_sku for s in summaries] == [f"FBA-{i:03d}" for i in range(120)]
    assert sandbox.stats["calls:getInventorySummaries"] == 3  # 50 a page
    assert {(s.inbound, s.reserved, s.researching, s.unfulfillable) for s in summaries} == {(6, 4, 1, 2)}
    assert sum(s.fulfillable for s in summaries) == sum(range(120))
    assert summaries[7].details["totalQuantity"] == 7 + 6 + 4 + 1 + 2


def test_start_date_time_finds_changes_but_not_inbound_only_ones(sandbox: AmazonSandbox) -> None:
    # Given
    reader = AmazonFba(context(add_shop(sandbox), scale=SCALE))
    stocked(sandbox, 60, at=datetime.now(UTC) - timedelta(hours=2))
    since = datetime.now(UTC) - timedelta(hours=1)
    sandbox.set_fba(SHOP, "FBA-010", fulfillable=99)
    sandbox.set_fba(SHOP, "FBA-020", inbound_shipped=50)
    sandbox.set_fba(SHOP, "FBA-030", reserved=0)
    # When
    changed = {s.seller_sku: s.fulfillable for s in reader.summaries(since)}
    # Then
    assert changed == {"FBA-010": 99, "FBA-030": 30}


def test_an_expired_token_restarts_the_listing_once(sandbox: AmazonSandbox) -> None:
    # Given
    reader = AmazonFba(context(add_shop(sandbox), scale=SCALE))
    stocked(sandbox, 130)
    sandbox.expire_fba_tokens(1)
    # When
    summaries = list(reader.summaries())
    # Then
    assert len(summaries) == 130
    assert len({s.seller_sku for s in summaries}) == 130
    answered = sandbox.stats["calls:getInventorySummaries"] - sandbox.stats["faults:throttled"]
    assert answered == 2 + 3  # page 1, the dead token, then all three pages again


def test_a_reader_too_slow_for_the_token_twice_gives_up_with_the_refusal() -> None:
    # Given
    with AmazonSandbox(rate_scale=1000.0) as sandbox:  # a nextToken lives 30 ms
        reader = AmazonFba(context(add_shop(sandbox), scale=5.0))  # the third page waits 0.1 s
        stocked(sandbox, 160)
        # When
        with pytest.raises(RequestRejectedError, match="Next token is invalid or expired"):
            list(reader.summaries())
        # Then
        # the first listing dies on its third page, the restart (its burst spent) on its second
        assert sandbox.stats["calls:getInventorySummaries"] == 3 + 2


def test_the_bucket_of_two_a_second_is_honoured() -> None:
    # Given
    with AmazonSandbox(rate_scale=4.0) as sandbox:  # 8 pages a second: 125 ms apart, 4 ms to spare
        reader = AmazonFba(context(add_shop(sandbox), scale=4.0))
        stocked(sandbox, 260)
        # When
        summaries = list(reader.summaries())
        # Then
        assert len(summaries) == 260
        assert sandbox.stats["faults:throttled"] == 0
        assert reader.api.http.stats.waited_s > 0  # six pages against a burst of two


@pytest.mark.parametrize(
    ("fault", "expected"),
    [("silent_empty", InvalidResponseError), ("error_envelope", RetriesExhaustedError)],
)
def test_a_page_without_its_data_never_reads_as_zero(
    sandbox: AmazonSandbox, fault: str, expected: type
) -> None:
    # Given
    reader = AmazonFba(context(add_shop(sandbox), scale=SCALE, attempts=2))
    stocked(sandbox, 5)
    reader.api.lwa.access_token()
    profile = FaultProfile(name=fault)
    setattr(profile, fault, 1.0)
    sandbox.faults = profile
    # When
    with pytest.raises(RetriesExhaustedError) as caught:
        list(reader.summaries())
    # Then
    assert isinstance(caught.value.last, expected) or expected is RetriesExhaustedError
