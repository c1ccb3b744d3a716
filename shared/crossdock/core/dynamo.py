"""Binds PynamoDB models to their tables at run time, so the same models serve AWS, moto's server and
tests (PynamoDB reads `Meta` when it first connects).

Each job's `storage/tables.py` registers its own models with `table("<Settings attribute>")`; `bind`
points every registered model at the configured table, region and endpoint. A function binds only the
models it imported — no module here knows any job's tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from pynamodb.models import Model

if TYPE_CHECKING:
    from crossdock.core.config import Settings

M = TypeVar("M", bound=type[Model])

_REGISTERED: dict[type[Model], str] = {}  # model → the Settings attribute naming its table
_bound: Settings | None = None


def table(settings_attribute: str) -> Callable[[M], M]:
    """Class decorator: the model's table name is `Settings.<settings_attribute>`."""

    def register(model: M) -> M:
        _REGISTERED[model] = settings_attribute
        if _bound is not None:  # imported after a bind: bind it now
            _bind_one(model, settings_attribute, _bound)
        return model

    return register


def bind(settings: Settings) -> None:
    """Point every registered model at the configured tables, region and endpoint (moto or AWS)."""
    global _bound
    _bound = settings
    for model, attribute in _REGISTERED.items():
        _bind_one(model, attribute, settings)


def _bind_one(model: type[Model], attribute: str, settings: Settings) -> None:
    meta = model.Meta
    target = (getattr(settings, attribute), settings.region, settings.aws_endpoint_url)
    if model._connection is not None and target == (
        meta.table_name,
        getattr(meta, "region", None),
        getattr(meta, "host", None),
    ):
        return  # keep the connection: a new one re-loads botocore's service model (~0.3 s per model)
    meta.table_name, meta.region, meta.host = target  # type: ignore[attr-defined]
    model._connection = None
