"""TOP signing (published test vector + HMAC variants) and TOP's GMT+8 clock."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

import pytest
from crossdock.channels.taobao.signing import parse_top_time, sign, signing_string, top_time

# api-contracts §4.3: the TOP documentation's worked example.
VECTOR = {
    "app_key": "test",
    "fields": "nick",
    "format": "xml",
    "method": "taobao.user.seller.get",
    "session": "test",
    "sign_method": "md5",
    "timestamp": "2013-05-06 13:52:03",
    "v": "2.0",
}


def test_md5_matches_the_published_test_vector() -> None:
    # Given the documented parameters and secret
    params = dict(VECTOR)
    # When
    signature = sign(params, "test", "md5")
    # Then
    assert signature == "72CB4D809B375A54502C09360D879C64"
    assert signing_string(params) == (
        "app_keytestfieldsnickformatxmlmethodtaobao.user.seller.getsessiontestsign_methodmd5"
        "timestamp2013-05-06 13:52:03v2.0"
    )


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("hmac", "FA15A9D5B42AB2D6F3397843851ED09A"),
        ("hmac-sha256", "267B9C1C7A2FE1CE413DBB95E596616D32107AE0992BE2C22143CFCE303E8E34"),
    ],
)
def test_hmac_variants_sign_the_same_string_keyed_by_the_secret(method: str, expected: str) -> None:
    # Given the vector's parameters announcing the HMAC method (values computed with stdlib hmac)
    params = {**VECTOR, "sign_method": method}
    # When
    signature = sign(params, "test", method)
    # Then
    assert signature == expected


def test_sign_and_empty_values_are_left_out_and_values_stay_raw_utf8() -> None:
    # Given a previous sign, an empty value and a Chinese value with characters URL-encoding would change
    params = {"b": "淘宝 & co", "a": "1", "sign": "OLD", "empty": "", "Z": "upper first"}
    # When
    text = signing_string(params)
    signature = sign(params, "s3cret", "md5")
    # Then
    assert text == "Zupper firsta1b淘宝 & co"
    assert signature == hashlib.md5(f"s3cret{text}s3cret".encode()).hexdigest().upper()


def test_unknown_sign_method_is_refused() -> None:
    # When / Then
    with pytest.raises(ValueError, match="sign_method"):
        sign({"a": "1"}, "s", "sha1")


def test_top_time_is_gmt8_whatever_the_host_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a host in Los Angeles
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        # When
        text = top_time(datetime(2025, 1, 1, 2, 0, 5, 900_000, tzinfo=UTC))
        parsed = parse_top_time("2025-01-01 10:00:05")
    finally:
        monkeypatch.undo()
        time.tzset()
    # Then: GMT+8, whole seconds, and back to UTC
    assert text == "2025-01-01 10:00:05"
    assert parsed == datetime(2025, 1, 1, 2, 0, 5, tzinfo=UTC)


def test_naive_datetimes_are_refused() -> None:
    # When / Then
    with pytest.raises(ValueError, match="naive"):
        top_time(datetime(2025, 1, 1))
