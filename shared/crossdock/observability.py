"""The one place Logger, Tracer and Metrics are created (no metric is emitted at import time)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

from crossdock.constants import METRICS_NAMESPACE, SERVICE_NAME

logger = Logger(service=SERVICE_NAME)
tracer = Tracer(service=SERVICE_NAME)
metrics = Metrics(namespace=METRICS_NAMESPACE, service=SERVICE_NAME)
