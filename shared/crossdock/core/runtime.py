"""What a process caches from its environment — the settings, the AWS clients built from them, the
secrets read through those — forgotten together when the environment changes: the CLI choosing a
stack, the local stack starting or stopping, tests. Forgetting one and not the others would talk to
two places at once. (A Lambda's environment never changes: handlers never need this.)"""

from __future__ import annotations

from crossdock.core import aws, credentials
from crossdock.core.config import Settings, settings
from crossdock.core.dynamo import bind


def forget_environment() -> None:
    """Drop the cached settings, AWS clients and secrets; the next use reads the environment again."""
    settings.cache_clear()
    aws.reset()
    credentials.reset()


def rebind() -> Settings:
    """Forget the old environment and bind the table models to the new one's settings."""
    forget_environment()
    current = settings()
    bind(current)
    return current
