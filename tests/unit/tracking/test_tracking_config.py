"""Tracking settings from the environment: stall limits per carrier and source chains."""

from __future__ import annotations

from datetime import timedelta

import pytest
from crossdock.core.config import ConfigError, Settings
from crossdock.core.names import ENV_STALL_HOURS, ENV_TRACKING_CHAINS
from crossdock.tracking.compose import tracking_policy


def test_a_carriers_stall_limit_comes_from_the_environment_and_the_others_keep_72_hours(monkeypatch):
    # Given Yanwen's sea lane allowed five days without a scan
    monkeypatch.setenv(ENV_STALL_HOURS, '{"yanwen": 120}')

    # When the policy is built from the settings
    policy = tracking_policy(Settings.from_env())

    # Then Yanwen waits 120 h, 4PX the default 72 h
    assert policy.stall_limit("yanwen") == timedelta(hours=120)
    assert policy.stall_limit("4px") == timedelta(hours=72)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        (ENV_STALL_HOURS, "120"),
        (ENV_STALL_HOURS, '{"yanwen": "five days"}'),
        (ENV_STALL_HOURS, '{"yanwen": 0}'),
        (ENV_TRACKING_CHAINS, "[1, 2]"),
    ],
    ids=["stall-not-an-object", "stall-not-a-number", "stall-zero", "chains-not-an-object"],
)
def test_malformed_tracking_settings_are_refused_naming_the_variable(monkeypatch, variable, value):
    # Given a malformed value
    monkeypatch.setenv(variable, value)

    # When / Then
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env()
