"""One store's bulk operations in the sandbox: their lifecycle, the concurrency limit, the signed links.

Lifecycle, driven by reads (deterministic, no wall clock): an operation is CREATED when started,
RUNNING from its first read (`node`, `bulkOperation`, `currentBulkOperation`), COMPLETED at its
`polls_to_complete`-th read, when its JSONL is built from the book as it stands then. A failure set
with `fail_next` ends the next operation FAILED with that errorCode at the same moment.
Concurrency (push-contracts §3.2): one running query operation per app and store before 2026-01,
five from 2026-01; the next start is refused with the userError Shopify documents.
Links: every read of a completed operation signs a fresh link (a token the download checks, like a
storage service's signed URL); `expire_links` invalidates every link given so far, `expire` ends the
operations' life (status EXPIRED, no url), as Shopify does seven days after completion.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

RUNNING = ("CREATED", "RUNNING")
OPERATION_NUMBERS = itertools.count(4_412_000_000_001)


@dataclass
class Result:
    """What a completed operation produced: the JSONL file and its counts."""

    body: bytes = b""
    objects: int = 0
    roots: int = 0


@dataclass
class Operation:
    query: str
    group: bool
    document: Any  # the parsed query, executed at completion
    number: int = field(default_factory=lambda: next(OPERATION_NUMBERS))
    status: str = "CREATED"
    error_code: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    completed_at: datetime | None = None
    reads: int = 0
    result: Result = field(default_factory=Result)

    @property
    def gid(self) -> str:
        return f"gid://shopify/BulkOperation/{self.number}"


def in_progress(gid: str) -> str:
    return f"A bulk query operation for this app and shop is already in progress: {gid}."


@dataclass
class BulkOperations:
    polls_to_complete: int = 2
    operations: dict[int, Operation] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)  # live link token → operation number
    failures: list[str] = field(default_factory=list)  # errorCodes for the next operations to end
    lock: threading.RLock = field(default_factory=threading.RLock)

    def start(self, operation: Operation, limit: int) -> Operation | str:
        """The operation, started; or the userError message when the store's slots are taken."""
        with self.lock:
            running = [op for op in self.operations.values() if op.status in RUNNING]
            if len(running) >= limit:
                return in_progress(running[-1].gid)
            self.operations[operation.number] = operation
            return operation

    def current(self) -> Operation | None:
        with self.lock:
            return max(self.operations.values(), key=lambda op: op.number, default=None)

    def get(self, number: int) -> Operation | None:
        return self.operations.get(number)

    def read(self, operation: Operation, build: Callable[[Operation], Result]) -> Operation:
        """A client read the operation: it moves on (see the module docstring)."""
        with self.lock:
            if operation.status not in RUNNING:
                return operation
            operation.reads += 1
            operation.status = "RUNNING"
            if operation.reads >= self.polls_to_complete:
                operation.completed_at = datetime.now(UTC)
                if self.failures:
                    operation.status, operation.error_code = "FAILED", self.failures.pop(0)
                else:
                    operation.result = build(operation)
                    operation.status = "COMPLETED"
            return operation

    def sign(self, operation: Operation) -> str:
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.tokens[token] = operation.number
        return token

    def download(self, number: int, token: str) -> bytes | None:
        """The file behind a live link, or None (expired or forged)."""
        with self.lock:
            operation = self.operations.get(number)
            if self.tokens.get(token) != number or operation is None or operation.status != "COMPLETED":
                return None
            return operation.result.body

    def expire_links(self) -> None:
        with self.lock:
            self.tokens.clear()

    def expire(self) -> None:
        with self.lock:
            self.tokens.clear()
            for operation in self.operations.values():
                if operation.status == "COMPLETED":
                    operation.status = "EXPIRED"
