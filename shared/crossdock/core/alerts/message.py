"""What an alert says, rendered as the e-mail a person receives (pure).

Subject: ASCII only (SNS refuses anything else in e-mail subjects), under 100 characters, and free
of channel text. Body: which shop and channel, since when, what happened, what the system already
did, what a person should do. Text that came from a channel (buyer names, notes, error messages)
is made inert: control and bidi characters removed, markup escaped, links defanged.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from crossdock.core.times import iso_z

_LINK = re.compile(r"(?i)\b(https?|ftp)://")


def inert(text: str, limit: int = 300) -> str:
    """Channel text as a harmless quotation: no markup, no control or direction tricks, no live links."""
    cleaned = "".join(
        ch for ch in str(text) if unicodedata.category(ch) not in ("Cc", "Cf") or ch in ("\n",)
    ).replace("\n", " ")
    cleaned = _LINK.sub(lambda m: f"{m.group(1)}[:]//", html.escape(cleaned, quote=True))
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def ascii_subject(text: str) -> str:
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    flat = re.sub(r"[\r\n\t]+", " ", flat).strip()
    return flat[:99]


@dataclass(frozen=True)
class Alert:
    dedupe_key: str
    subject: str
    shop_id: str
    channel: str
    since: datetime
    what_happened: str
    what_we_did: str
    what_to_do: str
    details: tuple[str, ...] = field(default_factory=tuple)  # untrusted channel text, rendered inert

    def render_subject(self) -> str:
        return ascii_subject(f"[crossdock] {self.subject}")

    def render_body(self) -> str:
        lines = [
            f"Shop:     {inert(self.shop_id)}",
            f"Channel:  {inert(self.channel)}",
            f"Since:    {iso_z(self.since)} (UTC)",
            "",
            "What happened",
            f"  {self.what_happened}",
            "",
            "What crossdock already did",
            f"  {self.what_we_did}",
            "",
            "What you should do",
            f"  {self.what_to_do}",
        ]
        if self.details:
            lines += ["", "Details (text from the channel, quoted as received)"]
            lines += [f"  - {inert(d)}" for d in self.details[:50]]
            if len(self.details) > 50:
                lines.append(f"  … and {len(self.details) - 50} more")
        lines += ["", f"Alert key: {self.dedupe_key} (repeats are suppressed for the suppression window)"]
        return "\n".join(lines)
