"""Names both the runtime and the CDK app import, so infrastructure and code cannot drift.

Every environment variable, the service's name and metric namespace and the TasksFailed metric are
declared here once (the business figures the dashboard reads: `core/figures.py`); each job declares
its tables, queues and functions in its own `resources.py` (`deployment` lists them all), and
`infra/` and `crossdock_local` build AWS and moto resources from those.
"""

from __future__ import annotations

SERVICE_NAME = "crossdock"
METRICS_NAMESPACE = "Crossdock"
# Every SQS worker counts the records it fails (returned to their queue) under this metric, with the
# dimensions service=SERVICE_NAME and function=<FunctionSpec.name>; each worker has an alarm on it.
TASKS_FAILED_METRIC = "TasksFailed"
TASKS_FAILED_DIMENSION = "function"

# --- environment variable names -------------------------------------------------------------
ENV_SHOPS_TABLE = "CROSSDOCK_SHOPS_TABLE"
ENV_ORDERS_TABLE = "CROSSDOCK_ORDERS_TABLE"
ENV_ALERTS_TABLE = "CROSSDOCK_ALERTS_TABLE"
ENV_CALLS_TABLE = "CROSSDOCK_CALLS_TABLE"
ENV_ORDER_TASKS_QUEUE_URL = "CROSSDOCK_ORDER_TASKS_QUEUE_URL"
ENV_ORDER_EVENTS_QUEUE_URL = "CROSSDOCK_ORDER_EVENTS_QUEUE_URL"
ENV_ALERTS_TOPIC_ARN = "CROSSDOCK_ALERTS_TOPIC_ARN"  # something needs a person now
ENV_REPORTS_TOPIC_ARN = "CROSSDOCK_REPORTS_TOPIC_ARN"  # daily digests and purchase suggestions
ENV_STOCK_TABLE = "CROSSDOCK_STOCK_TABLE"
ENV_RESERVATIONS_TABLE = "CROSSDOCK_RESERVATIONS_TABLE"
ENV_LISTINGS_TABLE = "CROSSDOCK_LISTINGS_TABLE"
ENV_STOCK_AUDIT_TABLE = "CROSSDOCK_STOCK_AUDIT_TABLE"
ENV_STOCK_CHANGES_QUEUE_URL = "CROSSDOCK_STOCK_CHANGES_QUEUE_URL"
ENV_STOCK_ADJUSTMENTS_QUEUE_URL = "CROSSDOCK_STOCK_ADJUSTMENTS_QUEUE_URL"
ENV_SHIPMENTS_TABLE = "CROSSDOCK_SHIPMENTS_TABLE"
ENV_SOURCE_HEALTH_TABLE = "CROSSDOCK_SOURCE_HEALTH_TABLE"
ENV_SHIPMENT_EVENTS_QUEUE_URL = "CROSSDOCK_SHIPMENT_EVENTS_QUEUE_URL"
ENV_TRACKING_TASKS_QUEUE_URL = "CROSSDOCK_TRACKING_TASKS_QUEUE_URL"
ENV_TRACKING_CHAINS = "CROSSDOCK_TRACKING_CHAINS"  # JSON {"4px": ["4px", "17track"], "*": ["17track"]}
ENV_STALL_HOURS = "CROSSDOCK_STALL_HOURS"  # JSON {"yanwen": 120}: hours without a scan before a stall
ENV_SOURCING_TABLE = "CROSSDOCK_SOURCING_TABLE"
ENV_SUPPLIER_DECISIONS_TABLE = "CROSSDOCK_SUPPLIER_DECISIONS_TABLE"
ENV_SUPPLIERS_TABLE = "CROSSDOCK_SUPPLIERS_TABLE"
ENV_SUPPLIER_TASKS_QUEUE_URL = "CROSSDOCK_SUPPLIER_TASKS_QUEUE_URL"
ENV_SUPPLIER_SECRETS_PREFIX = "CROSSDOCK_SUPPLIER_SECRETS_PREFIX"
ENV_SECRETS_PREFIX = "CROSSDOCK_SECRETS_PREFIX"
ENV_CARRIER_SECRETS_PREFIX = "CROSSDOCK_CARRIER_SECRETS_PREFIX"
ENV_APP_SECRETS_PREFIX = "CROSSDOCK_APP_SECRETS_PREFIX"
# Concurrent workers pace each tracking source at its rate ÷ their number (set from max_concurrency).
ENV_WORKER_CONCURRENCY = "CROSSDOCK_WORKER_CONCURRENCY"
ENV_AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL"  # set only for the local stack (moto server)
ENV_RATE_SCALE = "CROSSDOCK_RATE_SCALE"  # sandboxes may run the documented rates faster by a common factor
ENV_OUTBOX_DIR = "CROSSDOCK_OUTBOX_DIR"  # local stack: every alert e-mail is also written here
ENV_STOCK_MAX_UNITS = "CROSSDOCK_STOCK_MAX_UNITS"  # the most units one count may claim (default 1,000,000)
ENV_STOCK_FLUSH_QUEUE_URL = "CROSSDOCK_STOCK_FLUSH_QUEUE_URL"
ENV_STOCK_FLUSH_SETTLE_S = "CROSSDOCK_STOCK_FLUSH_SETTLE_S"  # quiet before a shop's flush sends (default 3)
ENV_STOCK_RETRY_BASE_S = "CROSSDOCK_STOCK_RETRY_BASE_S"  # first backoff after a transient refusal (default 5)
# Push intake: order notices (Amazon SP-API → SQS; Shopify → EventBridge partner bus → SQS), the
# dedupe records every inbound push claims (Powertools Idempotency), webhooks' erasure records.
ENV_AMAZON_NOTICES_QUEUE_URL = "CROSSDOCK_AMAZON_NOTICES_QUEUE_URL"
ENV_SHOPIFY_NOTICES_QUEUE_URL = "CROSSDOCK_SHOPIFY_NOTICES_QUEUE_URL"
ENV_NOTICES_TABLE = "CROSSDOCK_NOTICES_TABLE"
ENV_PRIVACY_TABLE = "CROSSDOCK_PRIVACY_TABLE"
# The Shopify partner event source's name, aws.partner/shopify.com/<app id>/<name> (deploy context
# `shopifyEventSource`); empty: no Shopify EventBridge intake is deployed.
ENV_SHOPIFY_EVENT_SOURCE = "CROSSDOCK_SHOPIFY_EVENT_SOURCE"
SHOPIFY_EVENT_SOURCE_CONTEXT = "shopifyEventSource"

DEFAULT_SECRETS_PREFIX = "crossdock/shops/"
DEFAULT_CARRIER_SECRETS_PREFIX = "crossdock/carriers/"  # one secret per tracking source: <prefix><source>
DEFAULT_SUPPLIER_SECRETS_PREFIX = "crossdock/suppliers/"  # one secret per supplier platform: <prefix>1688
# crossdock's own application at a platform (not a shop's): <prefix><platform>, e.g. crossdock/apps/ebay
# (the eBay app keys and its account-deletion endpoint's verification token).
DEFAULT_APP_SECRETS_PREFIX = "crossdock/apps/"

# --- finding a deployed stack -------------------------------------------------------------------
# The stack publishes every variable above that names one of its resources (tables, queue and
# dead-letter queue URLs, topics, secret prefixes) as one JSON object in an SSM parameter, and the
# parameter's name as the CloudFormation output ENVIRONMENT_OUTPUT_ID: `crossdock --stack NAME`
# reads both once per run instead of 21 variables exported by hand.
ENV_STACK = "CROSSDOCK_STACK"  # the deployed stack the CLI talks to (default DEFAULT_STACK_NAME)
DEFAULT_STACK_NAME = "crossdock"
ENVIRONMENT_OUTPUT_ID = "CrossdockEnvironment"
ENV_STATE_DIR = "CROSSDOCK_STATE_DIR"  # where `crossdock local up` keeps its state file


def environment_parameter_name(stack_name: str) -> str:
    """The SSM parameter holding a stack's environment: `/crossdock/<stack>/environment`."""
    return f"/crossdock/{stack_name}/environment"
