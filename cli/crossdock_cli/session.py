"""The settings every command works with, bound once per run (after `stack.connect` chose the stack)."""

from __future__ import annotations

from crossdock.core.config import Settings, settings
from crossdock.core.dynamo import bind


def configured() -> Settings:
    current = settings()
    bind(current)
    return current
