"""A failure as an operator may read it: the exception's type and a message that cannot carry a secret.

Why: a failed pull is written to the shop (`last_error`, `crossdock status`), to alerts and to logs,
but an unexpected error may quote whatever it choked on — a secret's JSON, a token. So the reason
keeps the exception type, the first line of its message with every JSON-looking object and every
token-looking run (long, letters and digits mixed) replaced by `[redacted]`, values after
secret-sounding keys hidden, and is bounded in length. Names the caller knows to be harmless (the
shop id, its secret's name) survive the token rule through `keep`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_REASON = 300
REDACTED = "[redacted]"

_OBJECT = re.compile(r"\{.*\}")  # a dumped JSON object or dict: may be a whole secret
_KEYED = re.compile(
    r"(?i)((?:secret|token|password|passwd|session|signature|sign|credential|authorization|bearer|api[_-]?key)"
    r"[\w-]*['\"]?\s*[:=]\s*['\"]?)([^\s'\",;}]+)"
)
_TOKEN = re.compile(r"[A-Za-z0-9+/=_\-.|^#~%!*]{20,}")


def _token_like(run: str) -> bool:
    return any(ch.isdigit() for ch in run) and any(ch.isalpha() for ch in run)


def safe_reason(exc: BaseException, *, keep: Iterable[str] = (), limit: int = MAX_REASON) -> str:
    """`Type: message` with secrets removed, one line, at most `limit` characters."""
    kind = type(exc).__name__
    lines = str(exc).strip().splitlines()
    message = lines[0].strip() if lines else ""
    names = sorted({n for n in keep if n}, key=len, reverse=True)  # a name inside another: longest first
    kept = {f"\x00{i}\x00": name for i, name in enumerate(names)}
    for mark, name in kept.items():
        message = message.replace(name, mark)
    message = _OBJECT.sub("{" + REDACTED + "}", message)
    message = _KEYED.sub(lambda m: m.group(1) + REDACTED, message)
    message = _TOKEN.sub(lambda m: REDACTED if _token_like(m.group(0)) else m.group(0), message)
    for mark, name in kept.items():
        message = message.replace(mark, name)
    text = f"{kind}: {message}" if message else kind
    return text if len(text) <= limit else text[: limit - 1] + "…"
