"""What IAM would refuse in AWS, found locally: each Lambda handler's DynamoDB calls, checked against
the actions its FunctionSpec declares per table and index (its role is granted exactly those).

A call is attributed to the handler whose functions/<folder>/handler.py frame is on the stack, or, for
a thread a handler started (parcel saves), to the function the local runner is invoking — a thread
that was already running when the invocation began (the demo's progress ticker) was not started by
it. Calls made outside any function (demo setup, the operators' command, the ticker) are not
checked: they run with other credentials.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.client
from crossdock.core.specs import (
    CONDITION_CHECK_ITEM,
    DELETE_ITEM,
    GET_ITEM,
    PUT_ITEM,
    UPDATE_ITEM,
    FunctionSpec,
)
from crossdock.deployment import FUNCTIONS, TABLES
from crossdock_local.aws import runner
from crossdock_local.aws.lambda_env import FUNCTIONS_DIR
from crossdock_local.aws.resources import resource_name

TRANSACT_PARTS = {"Put": PUT_ITEM, "Update": UPDATE_ITEM, "Delete": DELETE_ITEM}
TRANSACT_PARTS |= {"ConditionCheck": CONDITION_CHECK_ITEM, "Get": GET_ITEM}
Call = tuple[str, str, str, str | None]  # (function, table logical id, action, index)


def _tables_touched(operation: str, params: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    """(table name, action, index) of one DynamoDB API call, a batch or transaction split per table."""
    if "TransactItems" in params:
        return [
            (body["TableName"], TRANSACT_PARTS.get(kind, kind), None)
            for item in params["TransactItems"]
            for kind, body in item.items()
        ]
    if "RequestItems" in params:
        return [(table, operation, None) for table in params["RequestItems"]]
    if "TableName" in params:
        return [(params["TableName"], operation, params.get("IndexName"))]
    return []


class AccessRecorder:
    def __init__(self, functions: tuple[FunctionSpec, ...] = FUNCTIONS) -> None:
        self.specs = {spec.name: spec for spec in functions}
        self.handlers = {(s.folder, s.handler.rsplit(".", 1)[1]): s.name for s in functions}
        self.table_ids = {resource_name(t.env_var): t.logical_id for t in TABLES}
        self.calls: set[Call] = set()
        # the functions the local runner is invoking, each with the threads already running before it
        self.invoking: list[tuple[str, frozenset[int]]] = []

    def _function(self) -> str | None:
        frame = sys._getframe(2)
        prefix = str(FUNCTIONS_DIR) + "/"
        while frame is not None:
            path = frame.f_code.co_filename
            if path.startswith(prefix) and path.endswith("/handler.py"):
                name = self.handlers.get((path[len(prefix) :].split("/")[0], frame.f_code.co_name))
                if name:
                    return name
            frame = frame.f_back  # type: ignore[assignment]
        here = threading.get_ident()
        for name, earlier in reversed(self.invoking):
            if here not in earlier:
                return name
        return None

    def record(self, operation: str, params: dict[str, Any]) -> None:
        function = self._function()
        if function is None:
            return
        for table, action, index in _tables_touched(operation, params):
            self.calls.add((function, self.table_ids.get(table, table), action, index))

    def violations(self) -> list[str]:
        """Each call the function's role would be refused, as `function: action on table[/index/x]`."""
        found = []
        for function, table, action, index in self.calls:
            access = self.specs[function].tables.get(table)
            if index is None:
                allowed = access is not None and action in access.actions
            else:
                allowed = access is not None and action in dict(access.indexes).get(index, frozenset())
            if not allowed:
                where = f"{table}/index/{index}" if index else table
                found.append(f"{function}: {action} on {where}")
        return sorted(found)

    @contextmanager
    def installed(self) -> Iterator[AccessRecorder]:
        original_call = botocore.client.BaseClient._make_api_call
        original_invoke = runner.LocalRunner.invoke
        recorder = self

        def make_api_call(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if client.meta.service_model.service_name == "dynamodb":
                recorder.record(operation, params)
            return original_call(client, operation, params)

        def invoke(local: runner.LocalRunner, spec: FunctionSpec, event: dict[str, Any]) -> Any:
            earlier = frozenset(t.ident for t in threading.enumerate() if t.ident is not None)
            recorder.invoking.append((spec.name, earlier - {threading.get_ident()}))
            try:
                return original_invoke(local, spec, event)
            finally:
                recorder.invoking.pop()

        botocore.client.BaseClient._make_api_call = make_api_call  # type: ignore[method-assign]
        runner.LocalRunner.invoke = invoke  # type: ignore[method-assign]
        try:
            yield self
        finally:
            botocore.client.BaseClient._make_api_call = original_call  # type: ignore[method-assign]
            runner.LocalRunner.invoke = original_invoke  # type: ignore[method-assign]
