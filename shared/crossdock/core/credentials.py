"""Per-shop credentials from Secrets Manager through Powertools Parameters (cached 5 min).

Rotation needs no redeploy: the cache expires, and on an auth failure the use case forces one
fresh read before declaring the shop blocked. Values are never logged or put in alerts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.parameters import SecretsProvider

from crossdock.core import aws

CACHE_SECONDS = 300


@lru_cache(maxsize=1)
def _provider() -> SecretsProvider:
    return SecretsProvider(boto3_client=aws.client("secretsmanager"))


def read(secret_name: str, *, refresh: bool = False) -> dict[str, Any]:
    value = _provider().get(secret_name, max_age=CACHE_SECONDS, transform="json", force_fetch=refresh)
    if not isinstance(value, dict):
        raise ValueError(f"secret {secret_name} must hold a JSON object")
    return value


def reset() -> None:
    _provider.cache_clear()
