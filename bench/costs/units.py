"""The billing arithmetic (pure): DynamoDB item sizes and request units, SQS request chunks, Lambda
GB-seconds, and what a measured `Usage` costs at given prices.

DynamoDB sizes follow the developer guide's "Item sizes and formats": an attribute is its name's
UTF-8 length plus its value's size; a string its UTF-8 length, a number 1 byte per two significant
digits plus 1, binary its length, a boolean or null 1 byte; a list or map 3 bytes plus its
elements plus 1 byte per element (and a map's keys). On-demand units: a write 1 WRU per 1 KB
(transactional ×2); a read 1 RRU per 4 KB when strongly consistent, ½ when eventually consistent,
×2 when transactional; a Query or Scan by the total size it read, rounded up once.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bench.costs.prices import Prices

KB = 1024
WRITE_UNIT_BYTES = 1 * KB
READ_UNIT_BYTES = 4 * KB
SQS_CHUNK_BYTES = 64 * KB
SNS_CHUNK_BYTES = 64 * KB
GB = 1024**3

SERVICES = ("Lambda", "DynamoDB", "SQS", "SNS", "Secrets Manager", "CloudWatch Logs", "X-Ray")


# -- DynamoDB ---------------------------------------------------------------------------------------
def number_size(text: str) -> int:
    """Bytes of a DynamoDB number: 1 per two significant digits, plus 1."""
    digits = Decimal(text).normalize().as_tuple().digits
    significant = len(digits) if any(digits) else 1
    return math.ceil(significant / 2) + 1


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one attribute value in DynamoDB's typed JSON ({"S": "..."}, {"N": "12"}, ...)."""
    ((kind, body),) = value.items()
    if kind == "S":
        return len(body.encode("utf-8"))
    if kind == "N":
        return number_size(body)
    if kind == "B":
        return len(body) if isinstance(body, bytes | bytearray) else len(str(body).encode("utf-8"))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode("utf-8")) for s in body)
    if kind == "NS":
        return sum(number_size(n) for n in body)
    if kind == "BS":
        return sum(len(b) for b in body)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in body)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(v) + 1 for k, v in body.items())
    raise ValueError(f"unknown DynamoDB type {kind!r}")


def item_size(item: Mapping[str, Mapping[str, Any]] | None) -> int:
    """Bytes of an item: every attribute's name plus its value."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in (item or {}).items())


def write_units(size: int, *, transactional: bool = False) -> int:
    """WRUs of writing one item of `size` bytes (at least one unit)."""
    units = max(1, math.ceil(size / WRITE_UNIT_BYTES))
    return 2 * units if transactional else units


def read_units(size: int, *, consistent: bool, transactional: bool = False) -> float:
    """RRUs of reading `size` bytes in one request (one item, or a Query/Scan page): at least one 4 KB unit."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    if transactional:
        return 2.0 * units
    return float(units) if consistent else units / 2


# -- SQS, SNS, Lambda -------------------------------------------------------------------------------
def chunks(payload_bytes: int, chunk: int) -> int:
    """Requests billed for one call carrying `payload_bytes`: one per started chunk, at least one."""
    return max(1, math.ceil(payload_bytes / chunk))


def billed_ms(seconds: float) -> int:
    """Lambda bills duration rounded up to the next millisecond."""
    return max(1, math.ceil(round(seconds * 1000, 6)))


def gb_seconds(milliseconds: int, memory_mb: int) -> float:
    return milliseconds / 1000 * memory_mb / 1024


# -- usage and its price ----------------------------------------------------------------------------
@dataclass
class Usage:
    """What one measured run used, as AWS bills it."""

    invocations: Counter[str] = field(default_factory=Counter)  # per function
    billed_ms: Counter[str] = field(default_factory=Counter)  # per function
    gb_seconds: float = 0.0
    wru: float = 0.0
    rru: float = 0.0
    dynamodb_calls: Counter[str] = field(default_factory=Counter)  # per operation
    sqs_standard: int = 0
    sqs_fifo: int = 0
    sqs_calls: Counter[str] = field(default_factory=Counter)
    sns_publishes: int = 0
    email_deliveries: int = 0
    secrets_calls: int = 0
    log_bytes: int = 0
    schedule_fires: int = 0
    metrics: set[tuple[str, str, tuple[tuple[str, str], ...]]] = field(default_factory=set)

    def record_invocation(self, function: str, seconds: float, memory_mb: int) -> None:
        ms = billed_ms(seconds)
        self.invocations[function] += 1
        self.billed_ms[function] += ms
        self.gb_seconds += gb_seconds(ms, memory_mb)

    @property
    def traces(self) -> int:
        """X-Ray traces recorded: at most one per invocation (active tracing, default sampling)."""
        return sum(self.invocations.values())


def merged(*usages: Usage) -> Usage:
    """The usage of several runs together."""
    total = Usage()
    for usage in usages:
        for name in ("invocations", "billed_ms", "dynamodb_calls", "sqs_calls"):
            getattr(total, name).update(getattr(usage, name))
        for name in ("gb_seconds", "wru", "rru", "sqs_standard", "sqs_fifo", "sns_publishes"):
            setattr(total, name, getattr(total, name) + getattr(usage, name))
        for name in ("email_deliveries", "secrets_calls", "log_bytes", "schedule_fires"):
            setattr(total, name, getattr(total, name) + getattr(usage, name))
        total.metrics |= usage.metrics
    return total


def cost(usage: Usage, prices: Prices) -> dict[str, float]:
    """Dollars per service for `usage` (free tiers not deducted)."""
    requests = sum(usage.invocations.values())
    return {
        "Lambda": usage.gb_seconds * prices.lambda_arm_gb_second
        + requests / 1e6 * prices.lambda_per_million_requests,
        "DynamoDB": usage.wru / 1e6 * prices.dynamodb_per_million_wru
        + usage.rru / 1e6 * prices.dynamodb_per_million_rru,
        "SQS": usage.sqs_standard / 1e6 * prices.sqs_standard_per_million
        + usage.sqs_fifo / 1e6 * prices.sqs_fifo_per_million,
        "SNS": usage.sns_publishes / 1e6 * prices.sns_per_million_publishes
        + usage.email_deliveries / 1e5 * prices.sns_email_per_100k,
        "Secrets Manager": usage.secrets_calls / 1e4 * prices.secrets_per_10k_calls,
        "CloudWatch Logs": usage.log_bytes / GB * prices.logs_per_gb_ingested,
        "X-Ray": usage.traces / 1e6 * prices.xray_per_million_traces,
    }


def per_unit(dollars: Mapping[str, float], measured: int, unit: int) -> dict[str, float]:
    """Scale a measured run of `measured` items linearly to `unit` items."""
    if measured <= 0:
        raise ValueError("nothing was measured")
    return {service: value * unit / measured for service, value in dollars.items()}


def goal_line(per_100k_orders: float, goal: float = 2.0) -> str:
    verdict = "met" if per_100k_orders <= goal else "not met"
    return f"≤ ${goal:g} per 100,000 orders: {verdict} (ratio {per_100k_orders / goal:.2f})"
