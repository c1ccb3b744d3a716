"""The registry answers the fewest order-listing calls per channel name (the report's baseline)."""

from __future__ import annotations

from crossdock.channels.registry import CHANNELS, minimum_calls


def test_each_known_channel_answers_its_own_minimum():
    for name, spec in CHANNELS.items():
        assert minimum_calls(name, 1_234) == spec.minimum_calls(1_234)


def test_an_unknown_channel_has_no_minimum():
    assert minimum_calls("etsy", 100) is None
