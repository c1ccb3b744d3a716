"""Typed runtime configuration: the only module that reads `os.environ`.

Validated at invocation (not import), so tests and the local stack can set the environment first.
A frozen dataclass rather than a pydantic model: pydantic alone doubled the handlers' cold import.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from crossdock.core.names import (
    DEFAULT_APP_SECRETS_PREFIX,
    DEFAULT_CARRIER_SECRETS_PREFIX,
    DEFAULT_SECRETS_PREFIX,
    DEFAULT_SUPPLIER_SECRETS_PREFIX,
    ENV_ALERTS_TABLE,
    ENV_ALERTS_TOPIC_ARN,
    ENV_AMAZON_NOTICES_QUEUE_URL,
    ENV_APP_SECRETS_PREFIX,
    ENV_AWS_ENDPOINT_URL,
    ENV_CALLS_TABLE,
    ENV_CARRIER_SECRETS_PREFIX,
    ENV_LISTINGS_TABLE,
    ENV_NOTICES_TABLE,
    ENV_ORDER_EVENTS_QUEUE_URL,
    ENV_ORDER_TASKS_QUEUE_URL,
    ENV_ORDERS_TABLE,
    ENV_OUTBOX_DIR,
    ENV_PRIVACY_TABLE,
    ENV_RATE_SCALE,
    ENV_REPORTS_TOPIC_ARN,
    ENV_RESERVATIONS_TABLE,
    ENV_SECRETS_PREFIX,
    ENV_SHIPMENT_EVENTS_QUEUE_URL,
    ENV_SHIPMENTS_TABLE,
    ENV_SHOPIFY_EVENT_SOURCE,
    ENV_SHOPIFY_NOTICES_QUEUE_URL,
    ENV_SHOPS_TABLE,
    ENV_SOURCE_HEALTH_TABLE,
    ENV_SOURCING_TABLE,
    ENV_STALL_HOURS,
    ENV_STOCK_ADJUSTMENTS_QUEUE_URL,
    ENV_STOCK_AUDIT_TABLE,
    ENV_STOCK_CHANGES_QUEUE_URL,
    ENV_STOCK_FLUSH_QUEUE_URL,
    ENV_STOCK_FLUSH_SETTLE_S,
    ENV_STOCK_MAX_UNITS,
    ENV_STOCK_RETRY_BASE_S,
    ENV_STOCK_TABLE,
    ENV_SUPPLIER_DECISIONS_TABLE,
    ENV_SUPPLIER_SECRETS_PREFIX,
    ENV_SUPPLIER_TASKS_QUEUE_URL,
    ENV_SUPPLIERS_TABLE,
    ENV_TRACKING_CHAINS,
    ENV_TRACKING_TASKS_QUEUE_URL,
    ENV_WORKER_CONCURRENCY,
)


class ConfigError(ValueError):
    """A setting is missing or malformed: the message names the variable."""


@dataclass(
    frozen=True, eq=False
)  # compared by identity (a warm process keeps one); eq over 60 fields costs cold starts
class Settings:
    shops_table: str
    orders_table: str
    alerts_table: str
    calls_table: str
    stock_table: str = "crossdock-stock"
    reservations_table: str = "crossdock-reservations"
    listings_table: str = "crossdock-listings"
    stock_audit_table: str = "crossdock-stock-audit"
    shipments_table: str = "crossdock-shipments"
    source_health_table: str = "crossdock-source-health"
    shipment_events_queue_url: str = ""
    tracking_tasks_queue_url: str = ""
    carrier_secrets_prefix: str = DEFAULT_CARRIER_SECRETS_PREFIX
    tracking_chains: dict[str, tuple[str, ...]] = field(default_factory=dict)  # empty: the registry's default
    stall_hours: dict[str, float] = field(default_factory=dict)  # per carrier; others 72 h
    worker_concurrency: int = 1  # tracking workers running at once: each paces sources at rate ÷ this
    sourcing_table: str = "crossdock-sourcing"
    supplier_decisions_table: str = "crossdock-supplier-decisions"
    suppliers_table: str = "crossdock-suppliers"
    supplier_tasks_queue_url: str = ""
    supplier_secrets_prefix: str = DEFAULT_SUPPLIER_SECRETS_PREFIX
    app_secrets_prefix: str = DEFAULT_APP_SECRETS_PREFIX  # crossdock's own apps: <prefix>ebay
    stock_changes_queue_url: str = ""
    stock_adjustments_queue_url: str = ""
    order_tasks_queue_url: str = ""
    order_events_queue_url: str = ""
    alerts_topic_arn: str = ""
    reports_topic_arn: str = ""  # empty: reports go to the alerts topic
    secrets_prefix: str = DEFAULT_SECRETS_PREFIX
    aws_endpoint_url: str | None = None
    region: str = "us-east-1"
    rate_scale: float = 1.0
    outbox_dir: str | None = None
    # Push intake (orders.resources, tracking and privacy webhooks).
    notices_table: str = "crossdock-notices"
    privacy_table: str = "crossdock-privacy"
    amazon_notices_queue_url: str = ""
    shopify_notices_queue_url: str = ""
    shopify_event_source: str = ""  # aws.partner/shopify.com/<app id>/<name>; empty: not deployed

    # Order pull policy (defaults from the issue).
    overlap: timedelta = timedelta(minutes=5)
    backfill: timedelta = timedelta(days=90)
    alert_suppression: timedelta = timedelta(hours=1)
    breaker_threshold: float = 0.05
    breaker_min_calls: int = 20
    degraded_interval: timedelta = timedelta(hours=1)
    auth_probe_interval: timedelta = timedelta(hours=1)
    stop_margin: timedelta = timedelta(seconds=45)

    # Stock push policy.
    audit_ttl: timedelta = timedelta(days=90)
    drift_alert_units: int = 3  # read-back drift above this many units alerts
    sold_shipped_tolerance: float = 0.05
    stock_max_units: int = 1_000_000  # a count above this (import, adjustment, FBA) is refused as absurd
    stock_flush_queue_url: str = ""
    stock_flush_settle_s: float = 3.0  # a shop's flush waits until its marks stopped coming this long
    stock_retry_base_s: float = 5.0  # first backoff after a listing's transient refusal (doubles)

    # Supplier freshness policy.
    stuck_cache_after: timedelta = timedelta(hours=6)  # a supplier stale this long in a row: a stuck cache
    decision_ttl: timedelta = timedelta(days=90)

    # Tracking policy.
    tracking_retries: int = 3  # per number and source, after a silent answer, before the next source
    tracking_retry_delay_s: float = 1.0  # first backoff; doubles per retry (full jitter)
    demote_silent_rate: float = 0.3  # a source silent for more than this share of answers in an hour…
    demote_min_answers: int = 20  # …over at least this many answers, is demoted behind its backup
    promote_silent_rate: float = 0.1  # and promoted back when the share falls below this

    def __post_init__(self) -> None:
        if self.rate_scale <= 0:
            raise ConfigError(f"{ENV_RATE_SCALE} must be > 0, got {self.rate_scale}")
        if not 0 < self.breaker_threshold < 1:
            raise ConfigError(f"breaker threshold must be within (0, 1), got {self.breaker_threshold}")

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        try:
            rate_scale = float(env.get(ENV_RATE_SCALE, "1"))
        except ValueError:
            raise ConfigError(f"{ENV_RATE_SCALE} must be a number, got {env[ENV_RATE_SCALE]!r}") from None
        try:
            chains = {k: tuple(v) for k, v in json.loads(env.get(ENV_TRACKING_CHAINS) or "{}").items()}
        except (ValueError, AttributeError, TypeError):
            raise ConfigError(
                f"{ENV_TRACKING_CHAINS} must be a JSON object of carrier → list of sources, "
                f"got {env[ENV_TRACKING_CHAINS]!r}"
            ) from None
        try:
            stall_hours = {k: float(v) for k, v in json.loads(env.get(ENV_STALL_HOURS) or "{}").items()}
        except (ValueError, AttributeError, TypeError):
            raise ConfigError(
                f"{ENV_STALL_HOURS} must be a JSON object of carrier → hours, got {env[ENV_STALL_HOURS]!r}"
            ) from None
        if any(h <= 0 for h in stall_hours.values()):
            raise ConfigError(f"{ENV_STALL_HOURS}: every limit must be > 0 hours, got {stall_hours}")
        return cls(
            shops_table=env.get(ENV_SHOPS_TABLE, "crossdock-shops"),
            orders_table=env.get(ENV_ORDERS_TABLE, "crossdock-orders"),
            alerts_table=env.get(ENV_ALERTS_TABLE, "crossdock-alerts"),
            calls_table=env.get(ENV_CALLS_TABLE, "crossdock-calls"),
            stock_table=env.get(ENV_STOCK_TABLE, "crossdock-stock"),
            reservations_table=env.get(ENV_RESERVATIONS_TABLE, "crossdock-reservations"),
            listings_table=env.get(ENV_LISTINGS_TABLE, "crossdock-listings"),
            stock_audit_table=env.get(ENV_STOCK_AUDIT_TABLE, "crossdock-stock-audit"),
            shipments_table=env.get(ENV_SHIPMENTS_TABLE, "crossdock-shipments"),
            source_health_table=env.get(ENV_SOURCE_HEALTH_TABLE, "crossdock-source-health"),
            shipment_events_queue_url=env.get(ENV_SHIPMENT_EVENTS_QUEUE_URL, ""),
            tracking_tasks_queue_url=env.get(ENV_TRACKING_TASKS_QUEUE_URL, ""),
            carrier_secrets_prefix=env.get(ENV_CARRIER_SECRETS_PREFIX, DEFAULT_CARRIER_SECRETS_PREFIX),
            tracking_chains=chains,
            stall_hours=stall_hours,
            worker_concurrency=_positive_int(env, ENV_WORKER_CONCURRENCY, 1),
            sourcing_table=env.get(ENV_SOURCING_TABLE, "crossdock-sourcing"),
            supplier_decisions_table=env.get(ENV_SUPPLIER_DECISIONS_TABLE, "crossdock-supplier-decisions"),
            suppliers_table=env.get(ENV_SUPPLIERS_TABLE, "crossdock-suppliers"),
            supplier_tasks_queue_url=env.get(ENV_SUPPLIER_TASKS_QUEUE_URL, ""),
            supplier_secrets_prefix=env.get(ENV_SUPPLIER_SECRETS_PREFIX, DEFAULT_SUPPLIER_SECRETS_PREFIX),
            app_secrets_prefix=env.get(ENV_APP_SECRETS_PREFIX, DEFAULT_APP_SECRETS_PREFIX),
            stock_changes_queue_url=env.get(ENV_STOCK_CHANGES_QUEUE_URL, ""),
            stock_adjustments_queue_url=env.get(ENV_STOCK_ADJUSTMENTS_QUEUE_URL, ""),
            order_tasks_queue_url=env.get(ENV_ORDER_TASKS_QUEUE_URL, ""),
            order_events_queue_url=env.get(ENV_ORDER_EVENTS_QUEUE_URL, ""),
            alerts_topic_arn=env.get(ENV_ALERTS_TOPIC_ARN, ""),
            reports_topic_arn=env.get(ENV_REPORTS_TOPIC_ARN, ""),
            secrets_prefix=env.get(ENV_SECRETS_PREFIX, DEFAULT_SECRETS_PREFIX),
            aws_endpoint_url=env.get(ENV_AWS_ENDPOINT_URL) or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            rate_scale=rate_scale,
            outbox_dir=env.get(ENV_OUTBOX_DIR) or None,
            stock_max_units=_positive_int(env, ENV_STOCK_MAX_UNITS, 1_000_000),
            stock_flush_queue_url=env.get(ENV_STOCK_FLUSH_QUEUE_URL, ""),
            stock_flush_settle_s=_seconds(env, ENV_STOCK_FLUSH_SETTLE_S, 3.0),
            stock_retry_base_s=_seconds(env, ENV_STOCK_RETRY_BASE_S, 5.0),
            notices_table=env.get(ENV_NOTICES_TABLE, "crossdock-notices"),
            privacy_table=env.get(ENV_PRIVACY_TABLE, "crossdock-privacy"),
            amazon_notices_queue_url=env.get(ENV_AMAZON_NOTICES_QUEUE_URL, ""),
            shopify_notices_queue_url=env.get(ENV_SHOPIFY_NOTICES_QUEUE_URL, ""),
            shopify_event_source=env.get(ENV_SHOPIFY_EVENT_SOURCE, ""),
        )


def _positive_int(env: os._Environ[str], name: str, default: int) -> int:
    try:
        value = int(env.get(name) or default)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {env[name]!r}") from None
    if value < 1:
        raise ConfigError(f"{name} must be ≥ 1, got {value}")
    return value


def _seconds(env: os._Environ[str], name: str, default: float) -> float:
    try:
        value = float(env.get(name) or default)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {env[name]!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must be ≥ 0, got {value}")
    return value


@lru_cache(maxsize=1)
def settings() -> Settings:
    """The process-wide settings (cached; `settings.cache_clear()` in tests)."""
    return Settings.from_env()
