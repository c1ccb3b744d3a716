"""What a failed task leaves for operators: the exception type and a message without secrets."""

from __future__ import annotations

import json

import pytest
from crossdock.core.failures import MAX_REASON, safe_reason

SECRET = {
    "app_key": "12345678",
    "app_secret": "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "session": "6100abcdef987654",
}


@pytest.mark.parametrize(
    "exc",
    [
        ValueError(f"secret crossdock/shops/taobao-cn is not usable: {json.dumps(SECRET)}"),
        ValueError(f"bad config {SECRET!r}"),
        RuntimeError("refused: session=6100abcdef987654 app_secret=9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
        KeyError("Atzr|IwEBIJ0a1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVwXyZ"),
        RuntimeError('{"access_token": "shpat_0123456789abcdef0123456789abcdef"}'),
    ],
    ids=["json", "repr", "key=value", "bare-token", "whole-object"],
)
def test_secret_values_never_reach_the_reason(exc):
    # When the failure is described
    reason = safe_reason(exc)
    # Then its type is named and no secret value survives
    assert reason.startswith(type(exc).__name__)
    for value in ("9f8e7d6c5b4a39281706f5e4d3c2b1a0", "6100abcdef987654", "IwEBIJ0a1b2c3", "shpat_0123"):
        assert value not in reason


def test_a_plain_message_is_kept_with_names_the_caller_knows_are_harmless():
    # Given an error naming the shop's secret, a long but harmless name
    exc = ValueError("secret crossdock/shops/taobao-cn-2026-shop1 lacks session for taobao")
    # When described with that name kept
    reason = safe_reason(exc, keep=("taobao-cn-2026-shop1", "crossdock/shops/taobao-cn-2026-shop1"))
    # Then it reads as raised
    assert reason == "ValueError: secret crossdock/shops/taobao-cn-2026-shop1 lacks session for taobao"


def test_the_reason_is_one_bounded_line():
    # Given a long, multi-line message and one without any message
    long = RuntimeError("x " * 1000 + "\nsecond line")
    # When described
    reasons = [safe_reason(long), safe_reason(KeyError())]
    # Then one line of at most MAX_REASON characters, or the bare type
    assert len(reasons[0]) == MAX_REASON and "\n" not in reasons[0] and "second" not in reasons[0]
    assert reasons[1] == "KeyError"
