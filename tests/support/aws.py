"""moto in-process (no sockets) with every crossdock resource created, for use-case tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from crossdock.core.config import Settings
from crossdock.core.names import (
    ENV_ALERTS_TOPIC_ARN,
    ENV_AWS_ENDPOINT_URL,
    ENV_RATE_SCALE,
    ENV_REPORTS_TOPIC_ARN,
)
from crossdock.core.runtime import forget_environment, rebind
from crossdock.deployment import QUEUES, TABLES
from crossdock_local.aws.resources import create_queues, create_tables, create_topic
from moto import mock_aws


@contextmanager
def moto_resources() -> Iterator[Settings]:
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        ENV_RATE_SCALE: "1000",
    }
    touched = [
        *env,
        ENV_AWS_ENDPOINT_URL,
        ENV_ALERTS_TOPIC_ARN,
        ENV_REPORTS_TOPIC_ARN,
        *(t.env_var for t in TABLES),
        *(q.env_var for q in QUEUES),
        *(q.dlq_env_var for q in QUEUES),
    ]
    saved = {k: os.environ.get(k) for k in touched}
    os.environ.update(env)
    os.environ.pop(ENV_AWS_ENDPOINT_URL, None)
    try:
        with mock_aws():
            names = create_tables(boto3.client("dynamodb", region_name="us-east-1"))
            names |= create_queues(boto3.client("sqs", region_name="us-east-1"))
            names[ENV_ALERTS_TOPIC_ARN] = create_topic(boto3.client("sns", region_name="us-east-1"))
            os.environ.update(names)
            yield rebind()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        forget_environment()
