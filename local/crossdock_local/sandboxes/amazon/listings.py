"""The Amazon sandbox's listings: one seller-fulfilled (DEFAULT) quantity per SKU, and the rules a
quantity patch must pass, shared by `patchListingsItem` and the JSON_LISTINGS_FEED processor.

A patch is checked as Amazon would: the SKU must exist, `productType` must be the listing's, and a
`/attributes/fulfillment_availability` value must carry the DEFAULT channel with an integer quantity
≥ 0. Other attribute paths are accepted and ignored (the sandbox keeps quantities only). A frozen
listing accepts patches without applying them: the "accepted but not applied" fault a read-back
must catch. Issue codes of these checks are the sandbox's own (Amazon publishes no list).

Scripted refusals (`refuse`) stand for what the sandbox cannot derive: a SKU Amazon's catalog does
not match (8560, refused every time: permanent) or Amazon's own internal error (4000000 "Please try
again", refused the next n times, then the same submission succeeds: transient). Codes and messages
are those Amazon answers were seen with (amzn/selling-partner-api-models issues #4603, #2544; the
8560 text of a legacy processing report).
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

QUANTITY_PATH = "/attributes/fulfillment_availability"
PRODUCT_TYPES = ("LUGGAGE", "SHOES", "KITCHEN", "TOY_FIGURE", "HOME_BED_AND_BATH")
PATCH_OPS = frozenset({"add", "replace", "merge", "delete"})
INTERNAL_ERROR = ("4000000", "An internal error has occurred. Please try again.")


def not_in_catalog(sku: str) -> tuple[str, str]:
    """Amazon's refusal of a SKU its catalog does not match (permanent)."""
    message = f"SKU {sku} doesn't match any ASINs in the Amazon catalog."
    return "8560", f"{message} Check its product ids (UPC, EAN, ISBN, JAN)."


@dataclass(frozen=True)
class Problem:
    """One ERROR a submission meets: rendered as an Issue (Listings Items) or a report issue (feeds)."""

    code: str
    message: str
    attribute: str | None = None

    def issue(self) -> dict[str, Any]:
        issue: dict[str, Any] = {"code": self.code, "message": self.message, "severity": "ERROR"}
        if self.attribute:
            issue["attributeNames"] = [self.attribute]
        issue["categories"] = ["INVALID_ATTRIBUTE"] if self.attribute else []
        return issue

    def report_issue(self) -> dict[str, Any]:
        """The same problem as a processing-report issue (one `attributeName`, no categories)."""
        issue: dict[str, Any] = {"code": self.code, "severity": "ERROR", "message": self.message}
        if self.attribute:
            issue["attributeName"] = self.attribute
        return issue


@dataclass
class Refusal:
    """A scripted ERROR for every submission of one SKU (`remaining` None) or the next `remaining`."""

    problem: Problem
    remaining: int | None = None


@dataclass
class SandboxListing:
    sku: str
    product_type: str
    quantity: int = 0
    frozen: bool = False
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def product_type_for(sku: str) -> str:
    return PRODUCT_TYPES[int(hashlib.sha256(sku.encode("utf-8")).hexdigest(), 16) % len(PRODUCT_TYPES)]


def _quantity_problem(patch: Any) -> Problem | None:
    """The problem of one `fulfillment_availability` patch value, if any."""
    value = patch.get("value")
    if patch.get("op") == "delete":
        return None
    entries = [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []
    default = [e for e in entries if e.get("fulfillment_channel_code") == "DEFAULT"]
    if not default:
        return Problem(
            "99010",
            "fulfillment_availability needs a DEFAULT fulfillment_channel_code.",
            "fulfillment_availability",
        )
    quantity = default[0].get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        message = f"The value '{quantity}' for 'quantity' in 'fulfillment_availability' is invalid: it must be an integer ≥ 0."
        return Problem("99011", message, "fulfillment_availability")
    return None


class ListingStore:
    """Every shop's listings, safe to use from the server's threads."""

    def __init__(self) -> None:
        self._shops: dict[str, dict[str, SandboxListing]] = {}
        self._refusals: dict[tuple[str, str], Refusal] = {}
        self._lock = threading.Lock()

    def add(self, shop_id: str, sku: str, quantity: int) -> SandboxListing:
        listing = SandboxListing(sku, product_type_for(sku), quantity)
        with self._lock:
            self._shops.setdefault(shop_id, {})[sku] = listing
        return listing

    def get(self, shop_id: str, sku: str) -> SandboxListing | None:
        with self._lock:
            return self._shops.get(shop_id, {}).get(sku)

    def freeze(self, shop_id: str, sku: str) -> None:
        with self._lock:
            self._shops[shop_id][sku].frozen = True

    def quantity(self, shop_id: str, sku: str) -> int:
        with self._lock:
            return self._shops[shop_id][sku].quantity

    def refuse(self, shop_id: str, sku: str, problem: Problem, times: int | None = None) -> None:
        """Refuse the SKU's submissions with `problem`: always (None) or the next `times` (then as usual)."""
        with self._lock:
            if times is not None and times < 1:
                self._refusals.pop((shop_id, sku), None)
            else:
                self._refusals[(shop_id, sku)] = Refusal(problem, times)

    def _scripted(self, shop_id: str, sku: str) -> Problem | None:
        """The scripted refusal this submission meets, counting it down (caller holds the lock)."""
        refusal = self._refusals.get((shop_id, sku))
        if refusal is None:
            return None
        if refusal.remaining is not None:
            refusal.remaining -= 1
            if refusal.remaining <= 0:
                del self._refusals[(shop_id, sku)]
        return refusal.problem

    def apply(self, shop_id: str, sku: str, product_type: Any, patches: Any) -> list[Problem]:
        """Check one submission and, when it has no problem, apply it (unless frozen)."""
        with self._lock:
            scripted = self._scripted(shop_id, sku)
            if scripted is not None:
                return [scripted]
            listing = self._shops.get(shop_id, {}).get(sku)
            if listing is None:
                return [Problem("4000001", f"SKU '{sku}' does not exist for this selling partner.")]
            problems = []
            if product_type != listing.product_type:
                message = f"The product type '{product_type}' does not match the listing's product type '{listing.product_type}'."
                problems.append(Problem("4000003", message))
            new_quantity = None
            for patch in patches if isinstance(patches, list) else []:
                if not isinstance(patch, dict) or patch.get("op") not in PATCH_OPS:
                    problems.append(Problem("4000002", f"Invalid JSON Patch operation: {patch!r}."))
                elif patch.get("path") == QUANTITY_PATH:
                    problem = _quantity_problem(patch)
                    if problem is not None:
                        problems.append(problem)
                    elif patch.get("op") != "delete":
                        entry = next(
                            e for e in patch["value"] if e.get("fulfillment_channel_code") == "DEFAULT"
                        )
                        new_quantity = int(entry["quantity"])
            if not problems and new_quantity is not None and not listing.frozen:
                listing.quantity = new_quantity
                listing.updated_at = datetime.now(UTC)
            return problems
