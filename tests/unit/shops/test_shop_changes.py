"""The pure part of `shops update`: how options and endpoints are merged, and what is refused."""

from __future__ import annotations

import pytest
from crossdock.shops.usecases.changes import ShopUpdate, merged


def test_set_and_unset_apply_over_what_is_stored() -> None:
    # Given a shop's options
    current = {"marketplace_ids": ["A1"], "page_size": 50}
    # When one is replaced, one removed and one added
    result = merged(current, {"page_size": 100, "region": "eu"}, ["marketplace_ids"], "option")
    # Then
    assert result == {"page_size": 100, "region": "eu"}
    assert current == {"marketplace_ids": ["A1"], "page_size": 50}  # the stored value is not touched


def test_unsetting_what_is_not_set_is_named() -> None:
    with pytest.raises(ValueError, match=r"no endpoint token to unset; set: \['api'\]"):
        merged({"api": "http://127.0.0.1:9"}, {}, ["token"], "endpoint")


def test_setting_and_unsetting_one_name_is_refused() -> None:
    with pytest.raises(ValueError, match="option page_size: both set and unset"):
        merged({"page_size": 1}, {"page_size": 2}, ["page_size"], "option")


def test_an_update_without_a_change_is_empty_but_a_blank_name_is_a_change() -> None:
    assert ShopUpdate().empty and ShopUpdate(options={}, endpoints={}).empty
    assert not ShopUpdate(display_name="").empty
    assert not ShopUpdate(unset_endpoints=("api",)).empty
