"""Check requests and responses against a vendored official API model (a test helper).

One helper for Swagger 2.0 (Amazon SP-API models: parameters typed inline, schemas under
`#/definitions`, array parameters comma-separated unless `collectionFormat` says otherwise) and
OpenAPI 3.x (eBay: parameters carry a `schema`, arrays follow `style`/`explode`, schemas under
`#/components/schemas`). Import it as `from contracts.openapi import OpenApiModel`: tests/conftest.py
has no package beside it, so pytest puts tests/ on sys.path.

    model = OpenApiModel.load(MODELS / "amazon" / "orders_2026-01-01.json")
    model.validate_request("searchOrders", query=parse_qs(urlsplit(url).query))
    model.validate_response("searchOrders", 200, response.json())

Every failure raises ContractViolation (an AssertionError, so pytest shows it as a test failure).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jsonschema import Draft4Validator, FormatChecker
from jsonschema.protocols import Validator
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

MODEL_URI = "urn:crossdock:model"
_COLLECTION_SEPARATORS = {"csv": ",", "ssv": " ", "tsv": "\t", "pipes": "|"}
_NOT_SCHEMA_KEYS = {"name", "in", "required", "description", "collectionFormat", "allowEmptyValue"}


class ContractViolation(AssertionError):
    """A request or response that the official model does not allow."""


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str  # the template, e.g. /orders/2026-01-01/orders/{orderId}
    parameters: tuple[dict[str, Any], ...]
    responses: Mapping[str, Any]

    def matches(self, method: str, path: str) -> re.Match[str] | None:
        if method.lower() != self.method:
            return None
        pattern = re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.path))
        return re.fullmatch(pattern, path)


def _absolute_refs(node: Any) -> Any:
    """`#/definitions/X` → `urn:crossdock:model#/definitions/X`, so any fragment validates alone."""
    if isinstance(node, dict):
        return {
            key: (
                MODEL_URI + value
                if key == "$ref" and isinstance(value, str) and value[:1] == "#"
                else _absolute_refs(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_absolute_refs(item) for item in node]
    return node


class OpenApiModel:
    """One vendored model: its operations, and validators that resolve its `$ref`s."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = _absolute_refs(copy.deepcopy(dict(document)))
        self.swagger2 = str(self.document.get("swagger", "")).startswith("2")
        version = str(self.document.get("openapi", ""))
        if self.swagger2:
            self._validator_cls: Any = Draft4Validator
            self._formats = FormatChecker()
            spec = DRAFT4
        elif version.startswith("3.0"):
            self._validator_cls, self._formats, spec = OAS30Validator, oas30_format_checker, DRAFT4
        else:
            self._validator_cls, self._formats, spec = OAS31Validator, oas31_format_checker, DRAFT202012
        resource = Resource.from_contents(self.document, default_specification=spec)
        self._registry: Registry[Any] = Registry().with_resource(MODEL_URI, resource)
        self.operations = {op.operation_id: op for op in self._read_operations()}

    @classmethod
    def load(cls, path: Path | str) -> OpenApiModel:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    # -- lookup -----------------------------------------------------------------------------------
    def _resolve(self, node: Mapping[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = self._registry.resolver().lookup(node["$ref"]).contents
        return dict(node)

    def _read_operations(self) -> list[Operation]:
        found = []
        for path, item in self.document.get("paths", {}).items():
            shared = [self._resolve(p) for p in item.get("parameters", [])]
            for method, op in item.items():
                if method in ("parameters", "summary", "description", "servers") or not isinstance(op, dict):
                    continue
                own = [self._resolve(p) for p in op.get("parameters", [])]
                names = {(p["name"], p["in"]) for p in own}
                merged = tuple(own + [p for p in shared if (p["name"], p["in"]) not in names])
                found.append(
                    Operation(
                        op.get("operationId", f"{method} {path}"),
                        method,
                        path,
                        merged,
                        op.get("responses", {}),
                    )
                )
        return found

    def operation(self, operation_id: str) -> Operation:
        try:
            return self.operations[operation_id]
        except KeyError:
            raise ContractViolation(f"the model has no operation {operation_id!r}") from None

    def find(self, method: str, path: str) -> Operation:
        """The operation serving a concrete request path (e.g. from a sandbox's request log)."""
        for op in self.operations.values():
            if op.matches(method, path):
                return op
        raise ContractViolation(f"the model has no operation for {method.upper()} {path}")

    # -- validation -------------------------------------------------------------------------------
    def validator(self, schema: Mapping[str, Any]) -> Validator:
        return self._validator_cls(schema, registry=self._registry, format_checker=self._formats)  # type: ignore[no-any-return]

    def _check(self, schema: Mapping[str, Any], value: Any, where: str) -> None:
        errors = sorted(self.validator(schema).iter_errors(value), key=lambda e: list(e.absolute_path))
        if errors:
            details = "; ".join(
                f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors[:5]
            )
            raise ContractViolation(f"{where}: {details}")

    def _param_schema(self, param: Mapping[str, Any]) -> dict[str, Any]:
        if "schema" in param:
            return dict(param["schema"])
        return {k: v for k, v in param.items() if k not in _NOT_SCHEMA_KEYS and not k.startswith("x-")}

    def _values(self, param: Mapping[str, Any], raw: list[str]) -> Any:
        """The wire strings of one parameter → the JSON value its schema describes."""
        schema = self._resolve(self._param_schema(param))
        if schema.get("type") == "array":
            if self.swagger2 and param.get("collectionFormat", "csv") != "multi":
                items = [
                    part
                    for text in raw
                    for part in text.split(_COLLECTION_SEPARATORS[param.get("collectionFormat", "csv")])
                ]
            elif not self.swagger2 and not param.get("explode", param.get("style", "form") == "form"):
                items = [part for text in raw for part in text.split(",")]
            else:
                items = list(raw)
            item_schema = self._resolve(schema.get("items", {}))
            return [self._scalar(item_schema, item, param["name"]) for item in items]
        if len(raw) > 1:
            raise ContractViolation(f"parameter {param['name']!r} sent {len(raw)} times")
        return self._scalar(schema, raw[0], param["name"])

    @staticmethod
    def _scalar(schema: Mapping[str, Any], text: str, name: str) -> Any:
        kind = schema.get("type")
        try:
            if kind == "integer":
                return int(text)
            if kind == "number":
                return float(text)
        except ValueError:
            raise ContractViolation(f"parameter {name!r}={text!r} is not a {kind}") from None
        if kind == "boolean":
            if text not in ("true", "false"):
                raise ContractViolation(f"parameter {name!r}={text!r} is not a boolean")
            return text == "true"
        return text

    def validate_request(
        self,
        operation_id: str,
        *,
        query: Mapping[str, str | Sequence[str]] | None = None,
        path: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Required parameters present, no unknown query parameters, every value of its schema."""
        op = self.operation(operation_id)
        sent_query = {k: [v] if isinstance(v, str) else list(v) for k, v in (query or {}).items()}
        sent_headers = {k.lower(): [v] for k, v in (headers or {}).items()}
        sent_path: dict[str, list[str]] = {}
        if path is not None:
            match = op.matches(op.method, path)
            if match is None:
                raise ContractViolation(f"{path} is not {op.path}")
            sent_path = {k: [v] for k, v in match.groupdict().items()}
        known = {p["name"] for p in op.parameters if p["in"] == "query"}
        unknown = sorted(set(sent_query) - known)
        if unknown:
            raise ContractViolation(f"{operation_id}: query parameters not in the model: {unknown}")
        for param in op.parameters:
            place = param["in"]
            sent = {"query": sent_query, "path": sent_path, "header": sent_headers}.get(place)
            if sent is None or (place == "path" and path is None):
                continue
            key = param["name"].lower() if place == "header" else param["name"]
            if key not in sent:
                enforced = place != "header" or headers is not None
                if param.get("required") and enforced:
                    raise ContractViolation(f"{operation_id}: required {place} parameter {key!r} missing")
                continue
            value = self._values(param, sent[key])
            self._check(self._param_schema(param), value, f"{operation_id} {place} parameter {key!r}")

    def validate_request_url(self, operation_id: str, url: str) -> None:
        parts = urlsplit(url)
        self.validate_request(
            operation_id, query=parse_qs(parts.query, keep_blank_values=True), path=parts.path
        )

    def response_schema(self, operation_id: str, status: int) -> dict[str, Any] | None:
        responses = self.operation(operation_id).responses
        declared = (
            responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
        )
        if declared is None:
            raise ContractViolation(f"{operation_id}: the model declares no {status} response")
        declared = self._resolve(declared)
        if "schema" in declared:
            return dict(declared["schema"])
        content = declared.get("content") or {}
        for media, body in content.items():
            if "json" in media and "schema" in body:
                return dict(body["schema"])
        return None

    def validate_response(self, operation_id: str, status: int, body: Any) -> None:
        """The body matches the schema the model declares for this status."""
        schema = self.response_schema(operation_id, status)
        if schema is not None:
            self._check(schema, body, f"{operation_id} {status} response")
