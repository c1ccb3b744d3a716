"""Cached boto3 clients, built on first use (never at import) so tests and the local stack can
point them at moto's server through the settings."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from crossdock.core.config import settings


@cache
def client(service: str) -> Any:
    s = settings()
    return boto3.client(  # type: ignore[call-overload]  # the service name is a runtime value
        service,
        region_name=s.region,
        endpoint_url=s.aws_endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 5}),
    )


def reset() -> None:
    """Forget cached clients (after the settings change)."""
    client.cache_clear()
