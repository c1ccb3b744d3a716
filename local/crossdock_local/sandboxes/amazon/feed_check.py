"""Whether a submitted JSON_LISTINGS_FEED document may be processed at all (the sandbox's FATAL rules).

The document must be JSON, match the official `listings-feed-schema-v2.json` (vendored next to this
module) and name the submitting seller in `header.sellerId`. jsonschema needs about a millisecond a
message (the schema's `oneOf` tries four branches), 25 s for a full feed, so messages that differ only
in values the schema cannot tell apart (a valid `messageId`, a non-empty `sku`, the objects inside
`patches[].value`, which allow any property) are validated once per shape; `maxItems` is checked on
the real count. Errors are reported at the real message index.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

SCHEMA = Path(__file__).resolve().parent / "models" / "listings-feed-schema-v2.json"
MAX_MESSAGE_ID = 2**31 - 1


@cache
def document_validator() -> Draft7Validator:
    return Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def _shape(message: Any) -> str:
    """A key equal for messages the schema judges alike."""
    if not isinstance(message, dict):
        return json.dumps(message, sort_keys=True)
    shaped = dict(message)
    message_id = shaped.get("messageId")
    if type(message_id) is int and 1 <= message_id <= MAX_MESSAGE_ID:
        shaped["messageId"] = 1
    if isinstance(shaped.get("sku"), str) and shaped["sku"]:
        shaped["sku"] = "s"
    patches = shaped.get("patches")
    if isinstance(patches, list):
        shaped["patches"] = [
            {**p, "value": [{} if isinstance(e, dict) else e for e in p["value"]]}
            if isinstance(p, dict) and isinstance(p.get("value"), list)
            else p
            for p in patches
        ]
    return json.dumps(shaped, sort_keys=True)


def schema_problem(content: Any) -> str | None:
    """The first way `content` breaks the schema, or None."""
    validator = document_validator()
    messages = content.get("messages") if isinstance(content, dict) else None
    originals: list[int] = []
    if isinstance(messages, list):
        limit = validator.schema["properties"]["messages"]["maxItems"]
        if len(messages) > limit:
            return f"messages: {len(messages)} items is more than the maximum of {limit}"
        first_of: dict[str, int] = {}
        for index, message in enumerate(messages):
            first_of.setdefault(_shape(message), index)
        originals = list(first_of.values())
        content = {**content, "messages": [messages[index] for index in originals]}
    errors = sorted(validator.iter_errors(content), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    path = list(errors[0].absolute_path)
    if originals and len(path) > 1 and path[0] == "messages" and isinstance(path[1], int):
        path[1] = originals[path[1]]
    return f"{'/'.join(map(str, path)) or '<root>'}: {errors[0].message}"


def fatal_reason(body: bytes | None, seller_id: str) -> tuple[dict[str, Any] | None, str | None]:
    """The parsed document, or the reason processing it ends FATAL."""
    try:
        content = json.loads(body or b"")
    except ValueError:
        return None, "The feed document is not valid JSON."
    problem = schema_problem(content)
    if problem is not None:
        return None, f"The feed document does not match the schema: {problem}"
    if content["header"]["sellerId"] != seller_id:
        given = content["header"]["sellerId"]
        return None, f"The sellerId '{given}' in the feed header is not the submitting selling partner."
    return content, None
