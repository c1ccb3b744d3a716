"""GraphQL resolvers of the sandbox's bulk operations: `bulkOperationRunQuery`, `currentBulkOperation`,
`node(id:)` (BulkOperations only) and `bulkOperation(id:)` (2026-01+), on every era's schema.

A started operation is checked (`bulk_rules.checked`) against the served version's schema; it runs
when read (`bulk_state`): at completion the query is executed on the store's book with unpaged
connections and written as JSONL, served from `/bulk-results/<n>.jsonl` behind a signed token.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo, execute_sync

from crossdock_local.sandboxes.clock import iso_z
from crossdock_local.sandboxes.shopify.bulk_rules import checked, jsonl
from crossdock_local.sandboxes.shopify.bulk_state import Operation, Result
from crossdock_local.sandboxes.shopify.resolvers import attach
from crossdock_local.sandboxes.shopify.schema import schema_for
from crossdock_local.sandboxes.shopify.store import Served

GID = "gid://shopify/BulkOperation/"
RESULTS_PATH = r"/bulk-results/(?P<number>\d+)\.jsonl"


def concurrent_limit(version: str) -> int:
    return 5 if version >= "2026-01" else 1


def resolve_run(_root: Any, info: GraphQLResolveInfo, query: str, groupObjects: bool | None = None) -> dict:
    served: Served = info.context
    group = groupObjects if groupObjects is not None else served.version < "2026-01"
    document, problems = checked(schema_for(served.version), query)
    if document is None:
        return {"bulkOperation": None, "userErrors": [{"field": ["query"], "message": m} for m in problems]}
    started = served.store.bulk.start(Operation(query, group, document), concurrent_limit(served.version))
    if isinstance(started, str):
        return {"bulkOperation": None, "userErrors": [{"field": None, "message": started}]}
    return {"bulkOperation": render(served, started), "userErrors": []}


def resolve_current(_root: Any, info: GraphQLResolveInfo, type: str = "QUERY") -> dict | None:
    served: Served = info.context
    operation = served.store.bulk.current() if type == "QUERY" else None
    return None if operation is None else read(served, operation)


def resolve_by_id(_root: Any, info: GraphQLResolveInfo, id: str) -> dict | None:
    served: Served = info.context
    number = id.removeprefix(GID)
    operation = served.store.bulk.get(int(number)) if id.startswith(GID) and number.isdigit() else None
    return None if operation is None else read(served, operation)


def read(served: Served, operation: Operation) -> dict[str, Any]:
    return render(served, served.store.bulk.read(operation, lambda op: _result(served, op)))


def _result(served: Served, operation: Operation) -> Result:
    context = Served(served.store, served.version, base_url=served.base_url, bulk=True)
    executed = execute_sync(schema_for(served.version), operation.document, context_value=context)
    lines, objects, roots = jsonl(executed.data or {}, operation.group)
    body = b"".join(line + b"\n" for line in lines)
    return Result(body, objects, roots)


def render(served: Served, operation: Operation) -> dict[str, Any]:
    done = operation.status == "COMPLETED"
    url = None
    if done and operation.result.body:
        token = served.store.bulk.sign(operation)
        url = f"{served.base_url}/bulk-results/{operation.number}.jsonl?X-Goog-Signature={token}"
    return {
        "__typename": "BulkOperation",
        "id": operation.gid,
        "status": operation.status,
        "errorCode": operation.error_code,
        "createdAt": iso_z(operation.created_at),
        "completedAt": iso_z(operation.completed_at) if operation.completed_at else None,
        "objectCount": str(operation.result.objects),
        "rootObjectCount": str(operation.result.roots),
        "fileSize": str(len(operation.result.body)) if done else None,
        "url": url,
        "partialDataUrl": None,
        "query": operation.query,
        "type": "QUERY",
    }


attach("Mutation", "bulkOperationRunQuery", resolve_run)
attach("QueryRoot", "currentBulkOperation", resolve_current)
attach("QueryRoot", "node", resolve_by_id)
for _schema_era in ("2026-01", "2026-04"):
    _type = schema_for(_schema_era).query_type
    assert _type is not None
    _type.fields["bulkOperation"].resolve = resolve_by_id
