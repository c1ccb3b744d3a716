"""The shapes of the resources every job declares (tables, queues, functions, per-table access); `infra/` builds AWS resources from them and `crossdock_local` builds the same in moto."""

from __future__ import annotations

from dataclasses import dataclass, field

from crossdock.core.names import (
    ENV_ALERTS_TABLE,
    ENV_NOTICES_TABLE,
)


# --- resource specs ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TableSpec:
    """A DynamoDB table: key schema, TTL and indexes. String keys only."""

    logical_id: str
    env_var: str
    hash_key: str
    range_key: str | None = None
    ttl_attribute: str | None = None
    indexes: tuple[tuple[str, str, str | None], ...] = ()  # (index name, hash key, range key)


# "log": a sparse index of the alert log (every published alert and report, 30 days), newest first
# per topic kind — what `crossdock alerts list`, the status screen and the daily digest read.
ALERTS_TABLE = TableSpec(
    "AlertsTable",
    ENV_ALERTS_TABLE,
    hash_key="dedupe_key",
    ttl_attribute="expires_at",
    indexes=(("log", "log_topic", "logged_at"),),
)


# Every push receiver's "taken in once" records (core.inbound: Powertools Idempotency's table layout,
# key `id`, expiry `expiration`), kept a week.
NOTICES_TABLE = TableSpec("NoticesTable", ENV_NOTICES_TABLE, hash_key="id", ttl_attribute="expiration")


@dataclass(frozen=True)
class QueueSpec:
    """An SQS queue with its dead-letter queue."""

    logical_id: str
    env_var: str
    max_receive_count: int = 5
    # Visibility must be ≥ 6× the consuming function's timeout (AWS guidance for SQS event sources).
    visibility_timeout_s: int = 1800
    retention_days: int = 14
    # FIFO: one message group per key (stock changes are grouped by SKU, so two pushes of one SKU
    # never run at once and never overtake each other).
    fifo: bool = False
    # Another AWS account that sends to this queue (Amazon SP-API's notifications: 437568002678). Such
    # a queue is encrypted with a customer-managed KMS key whose policy lets that account encrypt
    # (the AWS-managed SQS key cannot be shared), and its queue policy lets that account send.
    sender_account: str | None = None

    @property
    def dlq_env_var(self) -> str:
        """The variable naming its dead-letter queue's URL (the stack's environment, `crossdock dlq`)."""
        return self.env_var.removesuffix("_QUEUE_URL") + "_DLQ_URL"


@dataclass(frozen=True)
class EventRouteSpec:
    """An EventBridge rule on a partner event bus that forwards the partner's events to a queue.

    The partner event source's name comes from deploy context `context_key` (it holds the partner's
    account-specific ids); the functions that need it read it from `env_var`. Without it nothing of
    the route is deployed (the pull still reads that channel)."""

    logical_id: str
    queue: str  # the queue logical id the rule's target is
    context_key: str
    env_var: str
    detail_types: tuple[str, ...]


# --- DynamoDB access per function ---------------------------------------------------------------
# The DynamoDB API actions a function's code calls on a table; its role is granted exactly these
# (infra/components/functions.py). PynamoDB: get/refresh → GetItem, batch_get → BatchGetItem,
# query → Query, scan → Scan, save → PutItem, update → UpdateItem, delete → DeleteItem,
# batch_write → BatchWriteItem. A TransactWrite is granted as its parts (tx.save → PutItem,
# tx.update → UpdateItem, tx.delete → DeleteItem, tx.condition_check → ConditionCheckItem).
GET_ITEM = "GetItem"


BATCH_GET_ITEM = "BatchGetItem"


QUERY = "Query"


SCAN = "Scan"


PUT_ITEM = "PutItem"


UPDATE_ITEM = "UpdateItem"


DELETE_ITEM = "DeleteItem"


BATCH_WRITE_ITEM = "BatchWriteItem"


CONDITION_CHECK_ITEM = "ConditionCheckItem"


READ_ACTIONS = frozenset({GET_ITEM, BATCH_GET_ITEM, QUERY, SCAN})


WRITE_ACTIONS = frozenset({PUT_ITEM, UPDATE_ITEM, DELETE_ITEM, BATCH_WRITE_ITEM, CONDITION_CHECK_ITEM})


INDEX_ACTIONS = frozenset({QUERY, SCAN})  # all a global secondary index serves


@dataclass(frozen=True)
class TableAccess:
    """What a function does with one table: the actions on the table, and per global secondary
    index (by name) the reads on that index, granted on that index's ARN only."""

    actions: frozenset[str] = frozenset()
    indexes: tuple[tuple[str, frozenset[str]], ...] = ()

    @property
    def writes(self) -> bool:
        return bool(self.actions & WRITE_ACTIONS)


def access(*actions: str, indexes: dict[str, tuple[str, ...]] | None = None) -> TableAccess:
    """`access(UPDATE_ITEM, indexes={"dirty": (QUERY,)})`: update items, query the "dirty" index."""
    by_index = tuple(sorted((name, frozenset(reads)) for name, reads in (indexes or {}).items()))
    return TableAccess(frozenset(actions), by_index)


# AlertSender: a conditional PutItem claims the alert's dedupe key, UpdateItem counts a suppressed
# repeat, DeleteItem gives the claim back when SNS refused the publish (the next attempt sends).
SENDS_ALERTS = access(PUT_ITEM, UPDATE_ITEM, DELETE_ITEM)

# core.inbound.once_per_key: Powertools Idempotency puts the in-progress record (conditional PutItem),
# reads it back on a clash (GetItem), completes it (UpdateItem) and deletes it when the work failed.
TAKES_ONCE = access(PUT_ITEM, GET_ITEM, UPDATE_ITEM, DELETE_ITEM)


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function: its code folder under functions/, handler, limits and triggers.

    `schedule` is an EventBridge rule expression (the rule delivers the "Scheduled Event"
    envelope); `queue` is the logical id of the SQS queue that feeds it.
    """

    name: str
    folder: str
    handler: str
    timeout_s: int
    memory_mb: int = 512
    schedule: str | None = None
    queue: str | None = None
    batch_size: int = 10
    # table logical id → the DynamoDB actions the function's code calls on it (nothing else is granted)
    tables: dict[str, TableAccess] = field(default_factory=dict)
    sends_to: tuple[str, ...] = ()  # queue logical ids it sends to
    alerts: bool = True
    reports: bool = False  # publishes to the reports topic (daily digests, purchase suggestions)
    reads_queue_depths: bool = False  # reads every queue's and dead-letter queue's depth (the digest)
    reads_secrets: bool = False
    reads_carrier_secrets: bool = False
    reads_supplier_secrets: bool = False
    reads_app_secrets: bool = False  # crossdock's own application secrets (Settings.app_secrets_prefix)
    max_concurrency: int | None = None  # SQS event source: most concurrent invocations (AWS minimum 2)
    # A webhook receiver: a Lambda function URL (auth NONE; the platform signs its requests and the
    # handler verifies the signature before anything else). The stack outputs the URL.
    url: bool = False
    env: dict[str, str] = field(default_factory=dict)
