"""Supplier-platform registry: one line per platform."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossdock.platforms.alibaba1688 import platform as alibaba1688

if TYPE_CHECKING:
    from crossdock.suppliers.ports import SupplierSpec

SUPPLIERS: dict[str, SupplierSpec] = {"1688": alibaba1688.SPEC}


def supplier(name: str) -> SupplierSpec:
    try:
        return SUPPLIERS[name]
    except KeyError:
        raise ValueError(
            f"unknown supplier platform {name!r}; known: {', '.join(sorted(SUPPLIERS))}"
        ) from None
