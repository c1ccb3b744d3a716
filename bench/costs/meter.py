"""Metering the local stack's real traffic as AWS would bill it.

Every AWS call of the process — crossdock's boto3 clients, PynamoDB's (a botocore session per
thread, so no one session's event hooks see them all) and the local runner's SQS polling, which the
event source mapping makes in AWS — goes through `botocore.client.BaseClient._make_api_call`; the
meter wraps it while it is installed (as tests/support/dynamodb_access.py does for IAM), and
counts per call: DynamoDB request units from the item sizes, SQS requests per 64 KB chunk (FIFO
apart), SNS publishes and the e-mails they fan out to, Secrets Manager calls.

DynamoDB units are computed from sizes, not read from the response: moto answers
`ReturnConsumedCapacity=TOTAL` with a constant (1.0 or 0.5) whatever the item size. To know the size
of what a write replaced or produced, the meter asks for `ReturnValues` (ALL_OLD on PutItem and
DeleteItem, ALL_NEW on UpdateItem) when the caller asked none, and removes the attributes from the
answer before the caller sees it. Writes to a table with global secondary indexes (projection ALL)
also write each index the item has a key for.

`MeteredRunner` is the local runner timing each handler invocation (billed duration, rounded up to
1 ms, × the function's memory) and capturing its log output (CloudWatch Logs ingestion; the EMF lines
in it name the custom metrics).
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator, Mapping
from typing import Any

import botocore.client
from botocore.exceptions import ClientError
from crossdock.core.specs import FunctionSpec, TableSpec
from crossdock_local.aws.runner import LocalRunner

from bench.costs.units import (
    SNS_CHUNK_BYTES,
    SQS_CHUNK_BYTES,
    Usage,
    chunks,
    item_size,
    read_units,
    write_units,
)

CHARGED_WHEN_REFUSED = ("ConditionalCheckFailedException", "TransactionCanceledException")
INJECTED_RETURN = {"PutItem": "ALL_OLD", "DeleteItem": "ALL_OLD", "UpdateItem": "ALL_NEW"}


def _attributes_size(attributes: Mapping[str, Any] | None) -> int:
    """Bytes of SQS/SNS message attributes: name, data type and value."""
    total = 0
    for name, attribute in (attributes or {}).items():
        total += len(name) + len(attribute.get("DataType", ""))
        total += len(str(attribute.get("StringValue", attribute.get("BinaryValue", ""))).encode("utf-8"))
    return total


class Meter:
    def __init__(self, tables: Mapping[str, TableSpec] | None = None) -> None:
        """`tables`: table name → its spec (for the global secondary indexes a write also writes)."""
        self.tables = dict(tables or {})
        self.emails: dict[str, int] = {}  # topic ARN → e-mail subscriptions
        self.usage: Usage | None = None

    # -- switching on and off -------------------------------------------------------------------
    @contextlib.contextmanager
    def installed(self) -> Iterator[Meter]:
        original = botocore.client.BaseClient._make_api_call  # type: ignore[attr-defined]
        meter = self

        def make_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if meter.usage is None:
                return original(client, operation, params)
            return meter.call(client.meta.service_model.service_name, operation, params, original, client)

        botocore.client.BaseClient._make_api_call = make_api_call  # type: ignore[attr-defined]
        try:
            yield self
        finally:
            botocore.client.BaseClient._make_api_call = original  # type: ignore[attr-defined]

    @contextlib.contextmanager
    def measuring(self, usage: Usage) -> Iterator[Usage]:
        previous, self.usage = self.usage, usage
        try:
            yield usage
        finally:
            self.usage = previous

    @contextlib.contextmanager
    def paused(self) -> Iterator[None]:
        """The bench's own look-ups (queue depths) are not crossdock's traffic."""
        previous, self.usage = self.usage, None
        try:
            yield
        finally:
            self.usage = previous

    # -- one call -------------------------------------------------------------------------------
    def call(self, service: str, operation: str, params: dict[str, Any], send: Any, client: Any) -> Any:
        usage = self.usage
        assert usage is not None
        if service == "dynamodb":
            return self._dynamodb(usage, operation, params, send, client)
        response = send(client, operation, params)
        if service == "sqs":
            self._sqs(usage, operation, params, response)
        elif service == "sns":
            self._sns(usage, operation, params)
        elif service == "secretsmanager":
            usage.secrets_calls += 1
        return response

    def _dynamodb(self, usage: Usage, operation: str, params: dict[str, Any], send: Any, client: Any) -> Any:
        asked = params
        injected = operation in INJECTED_RETURN and params.get("ReturnValues", "NONE") == "NONE"
        if injected:
            asked = {**params, "ReturnValues": INJECTED_RETURN[operation]}
        try:
            response = send(client, operation, asked)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in CHARGED_WHEN_REFUSED:
                self._count(usage, operation, *self._units(operation, params, {}))
            raise
        self._count(usage, operation, *self._units(operation, params, response))
        if injected:
            response = {k: v for k, v in response.items() if k != "Attributes"}
        return response

    def _count(self, usage: Usage, operation: str, wru: float, rru: float) -> None:
        usage.wru += wru
        usage.rru += rru
        usage.dynamodb_calls[operation] += 1

    def _index_writes(
        self, table: str, new: Mapping[str, Any] | None, old: Mapping[str, Any] | None = None
    ) -> int:
        """WRUs of the index entries an item write puts (the new image holds the index's key) or
        removes (the old image held a key the new one no longer has)."""
        spec = self.tables.get(table)
        if spec is None:
            return 0
        units = 0
        for _name, hash_key, _range in spec.indexes:
            if new and hash_key in new:
                units += write_units(item_size(new))
            if old and hash_key in old and (not new or new.get(hash_key) != old[hash_key]):
                units += write_units(item_size(old))
        return units

    def _units(
        self, operation: str, params: dict[str, Any], response: Mapping[str, Any]
    ) -> tuple[float, float]:
        """(WRU, RRU) of one DynamoDB call."""
        table = params.get("TableName", "")
        consistent = bool(params.get("ConsistentRead", False))
        if operation == "GetItem":
            return 0.0, read_units(item_size(response.get("Item")), consistent=consistent)
        if operation in ("Query", "Scan"):
            items = response.get("Items") or []
            size = sum(item_size(i) for i in items)
            count, scanned = int(response.get("Count", len(items))), int(response.get("ScannedCount", 0))
            if count and scanned > count:  # filtered out after reading: charged as read
                size = size * scanned // count
            return 0.0, read_units(size, consistent=consistent and "IndexName" not in params)
        if operation == "BatchGetItem":
            return 0.0, self._batch_get(params, response)
        if operation == "TransactGetItems":
            got = response.get("Responses") or []
            return 0.0, sum(
                read_units(item_size(r.get("Item")), consistent=True, transactional=True) for r in got
            )
        if operation == "PutItem":
            new, old = params.get("Item"), response.get("Attributes")
            return write_units(max(item_size(new), item_size(old))) + self._index_writes(table, new, old), 0.0
        if operation == "UpdateItem":
            new = response.get("Attributes") or params.get("Key")
            return write_units(item_size(new)) + self._index_writes(table, new), 0.0
        if operation == "DeleteItem":
            old = response.get("Attributes") or params.get("Key")
            return write_units(item_size(old)) + self._index_writes(
                table, None, response.get("Attributes")
            ), 0.0
        if operation == "BatchWriteItem":
            return self._batch_write(params, response), 0.0
        if operation == "TransactWriteItems":
            return self._transact_write(params), 0.0
        return 0.0, 0.0  # control plane (DescribeTable, ...): not billed per request

    def _batch_get(self, params: dict[str, Any], response: Mapping[str, Any]) -> float:
        rru = 0.0
        unprocessed = response.get("UnprocessedKeys") or {}
        for table, request in params.get("RequestItems", {}).items():
            consistent = bool(request.get("ConsistentRead", False))
            got = (response.get("Responses") or {}).get(table, [])
            rru += sum(read_units(item_size(i), consistent=consistent) for i in got)
            left = len(unprocessed.get(table, {}).get("Keys", []))
            missing = max(0, len(request.get("Keys", [])) - len(got) - left)
            rru += missing * read_units(0, consistent=consistent)  # a key not found still costs a unit
        return rru

    def _batch_write(self, params: dict[str, Any], response: Mapping[str, Any]) -> float:
        def units(table: str, requests: list[dict[str, Any]]) -> int:
            total = 0
            for request in requests:
                if "PutRequest" in request:
                    item = request["PutRequest"]["Item"]
                    total += write_units(item_size(item)) + self._index_writes(table, item)
                else:
                    total += write_units(item_size(request["DeleteRequest"]["Key"]))
            return total

        done = sum(units(t, r) for t, r in params.get("RequestItems", {}).items())
        left = sum(units(t, r) for t, r in (response.get("UnprocessedItems") or {}).items())
        return float(done - left)  # the unprocessed ones are sent (and counted) again

    def _transact_write(self, params: dict[str, Any]) -> float:
        total = 0
        for entry in params.get("TransactItems", []):
            ((kind, body),) = entry.items()
            if kind == "Put":
                size = item_size(body["Item"])
                total += write_units(size, transactional=True) + self._index_writes(
                    body["TableName"], body["Item"]
                )
            else:  # Update, Delete, ConditionCheck: the key and the values it writes
                size = item_size(body.get("Key")) + item_size(body.get("ExpressionAttributeValues"))
                total += write_units(size, transactional=True)
        return float(total)

    def _sqs(self, usage: Usage, operation: str, params: dict[str, Any], response: Mapping[str, Any]) -> None:
        if operation == "SendMessage":
            size = len(params.get("MessageBody", "").encode("utf-8"))
            requests = chunks(size + _attributes_size(params.get("MessageAttributes")), SQS_CHUNK_BYTES)
        elif operation == "SendMessageBatch":
            size = sum(
                len(e.get("MessageBody", "").encode("utf-8")) + _attributes_size(e.get("MessageAttributes"))
                for e in params.get("Entries", [])
            )
            requests = chunks(size, SQS_CHUNK_BYTES)
        elif operation == "ReceiveMessage":
            size = sum(len(m.get("Body", "").encode("utf-8")) for m in response.get("Messages") or [])
            requests = chunks(size, SQS_CHUNK_BYTES)
        else:
            requests = 1
        if str(params.get("QueueUrl", "")).endswith(".fifo"):
            usage.sqs_fifo += requests
        else:
            usage.sqs_standard += requests
        usage.sqs_calls[operation] += 1

    def _sns(self, usage: Usage, operation: str, params: dict[str, Any]) -> None:
        if operation == "Publish":
            messages = [params]
        elif operation == "PublishBatch":
            messages = params.get("PublishBatchRequestEntries", [])
        else:
            return
        for message in messages:
            size = len(str(message.get("Message", "")).encode("utf-8")) + _attributes_size(
                message.get("MessageAttributes")
            )
            usage.sns_publishes += chunks(size, SNS_CHUNK_BYTES)
            usage.email_deliveries += self.emails.get(str(params.get("TopicArn", "")), 0)


def emf_metrics(text: str) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """The custom metrics (namespace, name, dimension values) the EMF lines in `text` publish."""
    found: set[tuple[str, str, tuple[tuple[str, str], ...]]] = set()
    for line in text.splitlines():
        if '"_aws"' not in line:
            continue
        try:
            document = json.loads(line)
        except ValueError:
            continue
        for directive in document.get("_aws", {}).get("CloudWatchMetrics", []):
            for dimension_set in directive.get("Dimensions") or [[]]:
                dims = tuple(sorted((d, str(document.get(d, ""))) for d in dimension_set))
                for metric in directive.get("Metrics", []):
                    found.add((directive.get("Namespace", ""), metric["Name"], dims))
    return found


class MeteredRunner(LocalRunner):
    """The local runner, timing each invocation and keeping its log output for the meter."""

    def __init__(self, meter: Meter, queue_urls: Mapping[str, str], **options: Any) -> None:
        super().__init__(queue_urls, **options)
        self.meter = meter

    def invoke(self, spec: FunctionSpec, event: dict[str, Any]) -> Any:
        output = io.StringIO()
        self.log_stream = output
        began = time.perf_counter()
        try:
            return super().invoke(spec, event)
        finally:
            elapsed = time.perf_counter() - began
            usage = self.meter.usage
            if usage is not None:
                text = output.getvalue()
                usage.record_invocation(spec.name, elapsed, spec.memory_mb)
                usage.log_bytes += len(text.encode("utf-8"))
                usage.metrics |= emf_metrics(text)

    def fire(self, spec: FunctionSpec) -> Any:
        if self.meter.usage is not None:
            self.meter.usage.schedule_fires += 1
        return super().fire(spec)
