"""Amazon listings issues → a permanent refusal ("rejected") or a transient one ("failed").

Why: a "rejected" listing is marked needs_review and gets no more pushes until a person looks; a
"failed" update is retried with backoff. Amazon refuses an update the same way on both write paths —
ERROR issues `{code, message, severity}` per message in a JSON_LISTINGS_FEED processing report, and
in a patchListingsItem answer with status INVALID — so one table judges both.

Amazon publishes no full list of issue codes. `ISSUE_CODES` holds the codes seen in Amazon's docs or
quoted from real answers on GitHub (source beside each); UNCONFIRMED marks a code known only from
older feeds or by analogy. A code not in the table counts as transient only when its message says
Amazon failed ("internal error", "please try again", "temporarily", throttling, …), else permanent:
a permanent refusal retried forever never reaches anyone and spends the feed quota, while a transient
one marked for review costs one needless look (the person sees Amazon's code and message). Of several
ERRORs on one update, one permanent is enough: resending cannot cure it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PERMANENT = "rejected"
TRANSIENT = "failed"

# Sources: "models#N" / "docs#N" = github.com/amzn/selling-partner-api-models (or -docs) issue N,
# quoting real answers; "mws#113" = github.com/bhushankummar/amazon-mws/issues/113 (a legacy feed
# processing report); "Troubleshooting" = SP-API docs "Listings Items API Issues Troubleshooting".
ISSUE_CODES: Mapping[str, str] = {
    # -- permanent: the SKU, its product type or the submitted data is wrong for this listing --------
    "4000001": PERMANENT,  # "The provided value for '<attr>' is invalid." docs#1491, models#5219
    "4000003": PERMANENT,  # "The Amazon product type specified is invalid…" models#2427, docs#864
    "4000004": PERMANENT,  # product type cannot be used for this submission. models#2427
    "4002006": PERMANENT,  # a feed header attribute does not match the required value. docs#1133
    "4002008": PERMANENT,  # a message "did not meet the schema validation requirements". models#1641
    "6039": PERMANENT,  # not authorized to sell under a restricted product group. mws#113
    "8015": PERMANENT,  # "The data you provided for an attribute is invalid." models#3987
    "8026": PERMANENT,  # not authorized to list products in this category. mws#113
    "8101": PERMANENT,  # "Invalid ProductType value for SKU". models#2381
    "8541": PERMANENT,  # SKU data conflicts with the Amazon catalog. UNCONFIRMED code (message: docs#3638)
    "8560": PERMANENT,  # SKU "doesn't match any ASINs" / missing attributes. mws#113
    "8572": PERMANENT,  # product ids (UPC/EAN/…) do not match the product. models#549
    "13013": PERMANENT,  # SKU does not exist in the catalog (legacy inventory feeds). UNCONFIRMED
    "90000900": PERMANENT,  # "The attributes are invalid." jlevers/selling-partner-api#861
    "90004114": PERMANENT,  # a value below the attribute's required minimum. models#4621
    "90220": PERMANENT,  # "'<attr>' is required but not supplied." models#5337, Troubleshooting
    "99022": PERMANENT,  # "does not have enough values". models#5219, jlevers/selling-partner-api#493
    "BAD_REQUEST": PERMANENT,  # "Invalid parameters provided." models#4554, docs#2685
    # -- transient: Amazon failed to process this message; the same update later succeeds ----------
    "4000000": TRANSIENT,  # "An internal error has occurred. Please try again." models#4603, #2544, #4362
    "5002": TRANSIENT,  # "An internal error occurred. Please resubmit your data." docs#1974 (legacy code)
    # SP-API error-envelope codes (api-contracts §1, responses.py); as issue codes UNCONFIRMED.
    "InternalFailure": TRANSIENT,
    "ServiceUnavailable": TRANSIENT,
    "QuotaExceeded": TRANSIENT,
    "RequestThrottled": TRANSIENT,  # MWS throttling code; as an issue code UNCONFIRMED
}

# What an unlisted code's message says when Amazon, not the update, failed (lower case).
TRANSIENT_WORDS = (
    "internal error",
    "please try again",
    "try again later",
    "temporarily",
    "throttl",
    "service unavailable",
    "timed out",
)


@dataclass(frozen=True)
class Verdict:
    """One update's refusal: its status, the deciding issue's code and every ERROR as detail."""

    status: str
    code: str
    detail: str


def issue_code(issue: Mapping[str, Any]) -> str:
    code = issue.get("code")
    return str(code) if code not in (None, "") else ""


def describe(issue: Mapping[str, Any]) -> str:
    """`code: message` (the message alone when Amazon gave no code)."""
    code, message = issue_code(issue), str(issue.get("message", ""))
    return f"{code}: {message}" if code else message


def issue_status(issue: Mapping[str, Any]) -> str:
    """PERMANENT or TRANSIENT for one ERROR issue: the table first, then the message."""
    known = ISSUE_CODES.get(issue_code(issue))
    if known is not None:
        return known
    message = str(issue.get("message", "")).lower()
    return TRANSIENT if any(word in message for word in TRANSIENT_WORDS) else PERMANENT


def verdict(errors: Sequence[Mapping[str, Any]]) -> Verdict:
    """The refusal of one update from its ERROR issues (at least one): rejected when any is
    permanent (code: the first permanent one's), else failed (code: the first one's)."""
    if not errors:
        raise ValueError("a verdict needs at least one issue")
    statuses = [issue_status(issue) for issue in errors]
    deciding = statuses.index(PERMANENT) if PERMANENT in statuses else 0
    detail = "; ".join(describe(issue) for issue in errors)
    return Verdict(statuses[deciding], issue_code(errors[deciding]), detail)
