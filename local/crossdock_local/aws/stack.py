"""The local stack: moto's server standing in for AWS, with every crossdock resource created from
the specs the CDK app uses, and this process's environment pointed at it.

    with LocalStack(rate_scale=200, outbox_dir="outbox") as stack:
        ...  # handlers, the CLI and the composition roots now talk to moto on 127.0.0.1:<free port>

On exit the environment is restored and the cached settings, boto3 clients and secrets are dropped.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from types import TracebackType
from typing import Any

import boto3
import requests
from crossdock.core.config import Settings, settings
from crossdock.core.names import (
    ENV_ALERTS_TOPIC_ARN,
    ENV_AWS_ENDPOINT_URL,
    ENV_OUTBOX_DIR,
    ENV_RATE_SCALE,
    ENV_REPORTS_TOPIC_ARN,
    ENV_SECRETS_PREFIX,
    ENV_SHOPIFY_EVENT_SOURCE,
)
from crossdock.core.runtime import forget_environment, rebind
from crossdock.core.specs import QueueSpec, TableSpec
from crossdock.deployment import QUEUES, TABLES
from moto.server import ThreadedMotoServer

from crossdock_local.aws import partner_buses
from crossdock_local.aws.resources import (
    ALERT_EMAIL,
    REPORT_EMAIL,
    REPORTS_TOPIC_NAME,
    create_queues,
    create_routes,
    create_tables,
    create_topic,
    dead_letter_url,
)

FAKE_ACCOUNT_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
# Variables a local run may set; saved on start and restored on stop.
TOUCHED = (
    *FAKE_ACCOUNT_ENV,
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    ENV_AWS_ENDPOINT_URL,
    ENV_RATE_SCALE,
    ENV_OUTBOX_DIR,
    ENV_ALERTS_TOPIC_ARN,
    ENV_REPORTS_TOPIC_ARN,
    ENV_SECRETS_PREFIX,
    ENV_SHOPIFY_EVENT_SOURCE,
    *(t.env_var for t in TABLES),
    *(q.env_var for q in QUEUES),
    *(q.dlq_env_var for q in QUEUES),
)


class LocalStack:
    """moto's ThreadedMotoServer on 127.0.0.1 with crossdock's tables, queues (+DLQs) and topics.

    `env` holds every variable the runtime and the CLI need to reach it (fake credentials, region,
    endpoint, tables, queue and DLQ URLs, both topics): `crossdock local up` writes it to its state
    file."""

    def __init__(
        self,
        *,
        rate_scale: float = 1.0,
        outbox_dir: str | Path | None = None,
        region: str = "us-east-1",
        alert_email: str = ALERT_EMAIL,
    ) -> None:
        self.rate_scale = rate_scale
        self.outbox_dir = Path(outbox_dir) if outbox_dir else None
        self.region = region
        self.alert_email = alert_email
        self.env: dict[str, str] = {}
        self._server: ThreadedMotoServer | None = None
        self._saved: dict[str, str | None] = {}

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> LocalStack:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per AWS call
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        self._server = server
        host, port = server.get_host_and_port()
        # moto keeps its state per process: start from an empty account even after an earlier stack.
        requests.post(f"http://{host}:{port}/moto-api/reset", timeout=10).raise_for_status()
        self._saved = {name: os.environ.get(name) for name in TOUCHED}
        try:
            base = {
                **FAKE_ACCOUNT_ENV,
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                ENV_AWS_ENDPOINT_URL: f"http://{host}:{port}",
                ENV_RATE_SCALE: str(self.rate_scale),
            }
            if self.outbox_dir:
                base[ENV_OUTBOX_DIR] = str(self.outbox_dir.resolve())
            os.environ.pop("AWS_PROFILE", None)  # a workstation profile must not leak into moto calls
            os.environ.update(base)
            self.env = dict(base)
            self.env |= create_tables(self.client("dynamodb"))
            self.env |= create_queues(self.client("sqs"))
            partner_buses.allow()  # the Shopify route's partner bus is named aws.partner/shopify.com/…
            self.env |= create_routes(self.client("events"), self.client("sqs"), self.env)
            self.env[ENV_ALERTS_TOPIC_ARN] = create_topic(self.client("sns"), email=self.alert_email)
            self.env[ENV_REPORTS_TOPIC_ARN] = create_topic(
                self.client("sns"), email=REPORT_EMAIL, name=REPORTS_TOPIC_NAME
            )
            os.environ.update(self.env)
            rebind()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved = {}
        forget_environment()

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- what it created -------------------------------------------------------------------------
    @property
    def endpoint_url(self) -> str:
        return self.env[ENV_AWS_ENDPOINT_URL]

    @property
    def settings(self) -> Settings:
        return settings()

    def client(self, service: str) -> Any:
        """A boto3 client on moto's server (independent of crossdock's cached clients)."""
        factory: Any = boto3.client
        return factory(service, region_name=self.region, endpoint_url=self.endpoint_url)

    def table_name(self, spec: TableSpec) -> str:
        return self.env[spec.env_var]

    def queue_url(self, spec: QueueSpec) -> str:
        return self.env[spec.env_var]

    def dead_letter_url(self, spec: QueueSpec) -> str:
        return dead_letter_url(self.client("sqs"), self.queue_url(spec))

    def queue_spec(self, logical_id: str) -> QueueSpec:
        for spec in QUEUES:
            if spec.logical_id == logical_id:
                return spec
        raise KeyError(f"no queue spec {logical_id!r}")
