"""Where a locally invoked function's output goes: its JSON logs (Powertools Logger) and its EMF
metrics (printed to stdout, as CloudWatch collects them) can be sent to a file instead of the
terminal, so a demo's progress lines stay readable."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import TextIO

from crossdock.core.observability import logger


@contextlib.contextmanager
def captured(stream: TextIO | None) -> Iterator[None]:
    """Send the function's logs and metrics to `stream` while the block runs (None: leave them)."""
    if stream is None:
        yield
        return
    handler = logger.registered_handler
    previous = handler.setStream(stream) if isinstance(handler, logging.StreamHandler) else None
    try:
        with contextlib.redirect_stdout(stream):
            yield
    finally:
        if previous is not None and isinstance(handler, logging.StreamHandler):
            handler.setStream(previous)
