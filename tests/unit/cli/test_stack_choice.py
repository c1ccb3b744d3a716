"""Which stack a `crossdock` run talks to, and what it says when it cannot: `--stack`, then
$CROSSDOCK_STACK, then an environment naming the tables, then a live local stack, then the stack
named `crossdock` (no network: fake sessions and state files)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ProfileNotFound
from crossdock.core.config import settings
from crossdock.core.names import ENV_SHOPS_TABLE, ENV_STACK
from crossdock_cli.stack import (
    DEPLOYED,
    ENVIRONMENT,
    LOCAL_STACK,
    NO_CREDENTIALS,
    Choice,
    LocalStackSeen,
    StackError,
    choose,
    connect,
)

LIVE = LocalStackSeen(
    path=Path("/state/local.json"),
    pid=4242,
    alive=True,
    env={ENV_SHOPS_TABLE: "crossdock-shops", "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"},
)
DEAD = LocalStackSeen(path=Path("/state/local.json"), pid=4242, alive=False, env={})


def no_local() -> LocalStackSeen | None:
    return None


def seen(local: LocalStackSeen | None) -> Any:
    return lambda: local


@pytest.fixture()
def clean_environment() -> Iterator[None]:
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith(("CROSSDOCK_", "AWS_"))]:
        del os.environ[name]
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        settings.cache_clear()


class FakeSession:
    def __init__(self, *, credentials: object | None = object(), region: str | None = "eu-west-1") -> None:
        self.credentials = credentials
        self.region_name = region

    def get_credentials(self) -> object | None:
        return self.credentials

    def client(self, service: str, region_name: str) -> Any:
        raise AssertionError(f"no {service} call expected")


def arguments(stack: str | None = None, profile: str | None = None, region: str | None = None) -> Any:
    return argparse.Namespace(stack=stack, profile=profile, region=region)


def test_the_flag_wins_over_everything() -> None:
    # Given
    env = {ENV_STACK: "from-env", ENV_SHOPS_TABLE: "t"}

    # When
    choice = choose("from-flag", env, seen(LIVE))

    # Then
    assert choice == Choice(DEPLOYED, "from-flag")


def test_the_variable_wins_over_tables_and_local_stack() -> None:
    assert choose(None, {ENV_STACK: "prod", ENV_SHOPS_TABLE: "t"}, seen(LIVE)) == Choice(DEPLOYED, "prod")


def test_tables_in_the_environment_are_used_as_they_are() -> None:
    assert choose(None, {ENV_SHOPS_TABLE: "t"}, seen(LIVE)) == Choice(ENVIRONMENT)


def test_a_live_local_stack_comes_before_the_default_stack() -> None:
    assert choose(None, {}, seen(LIVE)) == Choice(LOCAL_STACK, env=LIVE.env)


def test_the_default_stack_is_crossdock() -> None:
    assert choose(None, {}, no_local) == Choice(DEPLOYED, "crossdock")


def test_profile_or_region_given_means_aws_not_the_local_stack() -> None:
    assert choose(None, {}, seen(LIVE), aws_chosen=True) == Choice(DEPLOYED, "crossdock")


def test_stack_local_needs_a_running_local_stack() -> None:
    # When
    with pytest.raises(StackError) as raised:
        choose("local", {}, no_local)

    # Then
    assert str(raised.value) == "no local stack is running: start it with `crossdock local up`"
    assert choose("local", {ENV_SHOPS_TABLE: "t"}, seen(LIVE)) == Choice(LOCAL_STACK, env=LIVE.env)


def test_a_dead_local_stack_says_how_to_restart_it() -> None:
    # When
    with pytest.raises(StackError) as raised:
        choose(None, {}, seen(DEAD))

    # Then
    assert str(raised.value) == (
        "the local stack recorded in /state/local.json (pid 4242) is not running any more:"
        " run `crossdock local up` (or `crossdock local down` to forget it)"
    )


def test_the_state_file_is_not_read_when_the_environment_decides() -> None:
    # Given
    def unreadable() -> LocalStackSeen | None:
        raise AssertionError("state file read")

    # Then
    assert choose("prod", {}, unreadable) == Choice(DEPLOYED, "prod")
    assert choose(None, {ENV_SHOPS_TABLE: "t"}, unreadable) == Choice(ENVIRONMENT)


@pytest.mark.usefixtures("clean_environment")
def test_no_credentials_is_named_with_three_fixes() -> None:
    # When
    with pytest.raises(StackError) as raised:
        connect(arguments(), session=lambda: FakeSession(credentials=None), local_state=no_local)

    # Then
    assert str(raised.value) == NO_CREDENTIALS
    assert "--profile" in NO_CREDENTIALS and "aws configure" in NO_CREDENTIALS
    assert "crossdock local up" in NO_CREDENTIALS


@pytest.mark.usefixtures("clean_environment")
def test_no_region_is_named() -> None:
    with pytest.raises(StackError, match=r"no AWS region: set AWS_REGION \(or --region\)"):
        connect(arguments(), session=lambda: FakeSession(region=None), local_state=no_local)


@pytest.mark.usefixtures("clean_environment")
def test_unknown_profile_is_named() -> None:
    # Given
    def session() -> Any:
        raise ProfileNotFound(profile="shop-admin")

    # When
    with pytest.raises(StackError) as raised:
        connect(arguments(profile="shop-admin"), session=session, local_state=no_local)

    # Then
    assert "shop-admin" in str(raised.value)
    assert os.environ["AWS_PROFILE"] == "shop-admin"


@pytest.mark.usefixtures("clean_environment")
def test_the_local_stack_environment_replaces_the_profile() -> None:
    # Given
    os.environ["AWS_PROFILE"] = "workstation"

    # When
    choice = connect(arguments(), session=lambda: FakeSession(), local_state=seen(LIVE))

    # Then
    assert choice.kind == LOCAL_STACK
    assert "AWS_PROFILE" not in os.environ
    assert settings().aws_endpoint_url == "http://127.0.0.1:5000"


@pytest.mark.usefixtures("clean_environment")
def test_region_flag_sets_the_region_for_the_run() -> None:
    # Given
    os.environ[ENV_SHOPS_TABLE] = "my-shops"

    # When
    choice = connect(arguments(region="ap-southeast-1"), session=lambda: FakeSession(), local_state=no_local)

    # Then
    assert choice == Choice(ENVIRONMENT)
    assert (settings().region, settings().shops_table) == ("ap-southeast-1", "my-shops")
