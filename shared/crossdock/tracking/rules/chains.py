"""Which tracking sources ask about a carrier's parcels, in order, and which carrier a channel's free text names."""

from __future__ import annotations

import re
from collections.abc import Mapping

# Carrier's own API first, the aggregator as the backup; any other carrier: the aggregator alone.
DEFAULT_CHAINS: dict[str, tuple[str, ...]] = {
    "4px": ("4px", "17track"),
    "yanwen": ("yanwen", "17track"),
    "*": ("17track",),
}


def chain_for(carrier: str, chains: Mapping[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    table = chains or DEFAULT_CHAINS
    return table.get(carrier) or table.get("*") or DEFAULT_CHAINS["*"]


_ALIASES = (
    (re.compile(r"4\s*px|递四方", re.I), "4px"),
    (re.compile(r"yanwen|燕文|\byw\b", re.I), "yanwen"),
)


_NUMBER_HINTS = (
    (re.compile(r"^4PX\d{10,}[A-Z]{2}$"), "4px"),
    (re.compile(r"^(UH|UG|UV)\d{9}YP$"), "yanwen"),
)


def carrier_code(carrier: str, tracking_number: str = "") -> str:
    """The carrier as the chains know it, from the channel's free text ("4PX Express", "燕文物流",
    "YunExpress") or, when the text says nothing, from the number's shape."""
    for pattern, code in _ALIASES:
        if pattern.search(carrier or ""):
            return code
    for pattern, code in _NUMBER_HINTS:
        if pattern.match(tracking_number.strip().upper()):
            return code
    slug = re.sub(r"[^a-z0-9]+", "-", (carrier or "").casefold()).strip("-")
    return slug or "unknown"
