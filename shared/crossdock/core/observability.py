"""The one place Logger, Tracer and Metrics are created (no metric is emitted at import time).

`counts_failures` wraps every SQS worker's record handler: a record that fails is returned to its
queue by the batch processor, which neither the Lambda Errors metric nor any log level shows, so
the wrapper logs it (sanitized) and counts it as `TasksFailed` {service, function} — the metric
each worker's alarm watches — then raises it again: the record is still redelivered.

`record_figure` emits one business figure (`core.figures`) with its own dimensions (a channel, a
tracking source) beside the function's shared Metrics set, whose dimensions are the same for every
metric in it. Only handlers call it: a use case run by the CLI must not print EMF to its stdout.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from crossdock.core.failures import safe_reason
from crossdock.core.names import (
    METRICS_NAMESPACE,
    SERVICE_NAME,
    TASKS_FAILED_DIMENSION,
    TASKS_FAILED_METRIC,
)

logger = Logger(service=SERVICE_NAME)
# The AWS SDK is traced everywhere; `requests` only once an HTTP client is built (`core.http` patches it
# then): patching every module X-Ray knows would load `requests` into functions that never
# call a channel, and each cold start would pay for it.
tracer = Tracer(service=SERVICE_NAME, patch_modules=("boto3",))
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)

F = TypeVar("F", bound=Callable[..., Any])


def task_failed(function: str, exc: BaseException) -> None:
    """One failed record of `function` (a FunctionSpec name): an error log line and one metric."""
    logger.error(
        "task failed; returned to its queue",
        extra={
            "function": function,
            "reason": safe_reason(exc),
            # Frames only: the message may quote a secret, the code lines and files cannot.
            "stack": "".join(traceback.format_tb(exc.__traceback__))[-4000:],
        },
    )
    # Its own EMF document with both dimensions set explicitly, so it matches the alarm's metric
    # exactly whatever POWERTOOLS_SERVICE_NAME says.
    with single_metric(
        name=TASKS_FAILED_METRIC,
        unit=MetricUnit.Count,
        value=1,
        namespace=METRICS_NAMESPACE,
        default_dimensions={"service": SERVICE_NAME, TASKS_FAILED_DIMENSION: function},
    ):
        pass


def record_figure(
    name: str, value: float, dimensions: Mapping[str, str], unit: MetricUnit = MetricUnit.Count
) -> None:
    """One figure as its own EMF document with dimensions {service, **dimensions}, exactly as the
    dashboard reads it (set explicitly, whatever POWERTOOLS_SERVICE_NAME says)."""
    with single_metric(
        name=name,
        unit=unit,
        value=value,
        namespace=METRICS_NAMESPACE,
        default_dimensions={"service": SERVICE_NAME, **dimensions},
    ):
        pass


def record_figures(dimension: str, by_value: Mapping[str, Mapping[str, float]]) -> None:
    """`{"shopify": {"StockPushes": 3, ...}, ...}`: each figure once per value of `dimension`."""
    for value, named in by_value.items():
        for name, figure in named.items():
            record_figure(name, figure, {dimension: value})


def counts_failures(function: str) -> Callable[[F], F]:
    """Decorate a record handler: any exception is counted (`task_failed`) and raised again.
    The handler's signature is kept, so the batch processor still passes `lambda_context`."""

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except Exception as exc:
                task_failed(function, exc)
                raise

        return cast(F, wrapper)

    return decorate
