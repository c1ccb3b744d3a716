"""The bulk-operation slice of the Shopify Admin GraphQL schema, per API version era (push-contracts §3).

`bulkOperationRunQuery(query:, groupObjects:)` with `groupObjects` defaulting to true up to 2025-10 and
false from 2026-01; `currentBulkOperation(type:)` and `node(id:)` on every version (`Node` here only
ever resolves a BulkOperation); `bulkOperation(id:)` from 2026-01 (changelog "New Queries for Bulk
Operations"). Field names and enum values follow the BulkOperation reference.
"""

from __future__ import annotations

COMMON = """
interface Node { id: ID! }
enum BulkOperationStatus { CANCELED CANCELING COMPLETED CREATED EXPIRED FAILED RUNNING }
enum BulkOperationErrorCode { ACCESS_DENIED INTERNAL_SERVER_ERROR TIMEOUT }
enum BulkOperationType { MUTATION QUERY }
type BulkOperation implements Node {
  completedAt: DateTime createdAt: DateTime! errorCode: BulkOperationErrorCode fileSize: UnsignedInt64
  id: ID! objectCount: UnsignedInt64! partialDataUrl: URL query: String! rootObjectCount: UnsignedInt64!
  status: BulkOperationStatus! type: BulkOperationType! url: URL
}
type BulkOperationUserError { field: [String!] message: String! }
type BulkOperationRunQueryPayload { bulkOperation: BulkOperation userErrors: [BulkOperationUserError!]! }
"""

QUERY_ROOT = """
extend type QueryRoot {
  node(id: ID!): Node
  currentBulkOperation(type: BulkOperationType = QUERY): BulkOperation%s
}
"""

MUTATION = """
extend type Mutation {
  bulkOperationRunQuery(query: String!, groupObjects: Boolean! = %s): BulkOperationRunQueryPayload
}
"""


def bulk_sdl(era_name: str) -> str:
    legacy = era_name == "legacy"
    by_id = "" if legacy else "\n  bulkOperation(id: ID!): BulkOperation"
    return COMMON + QUERY_ROOT % by_id + MUTATION % ("true" if legacy else "false")
