"""Downloading a bulk operation's JSONL file: a signed storage link (Shopify's `url`), fetched without
the shop's token (the signature is the credential), streamed, and counted as `bulkDownload` in the
client's stats, like every call.

The first line is read before anything is handed on, so a refusal, an HTML page or an empty body is a
RetryableError of the download itself (retried, or the link renewed), not a broken read halfway.
A signed link past its expiry: Google Cloud Storage answers 400 ExpiredToken, S3 403 (EXPIRED_LINK).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

import requests

from crossdock.channels.shopify.wire import CHANNEL
from crossdock.core.errors import ConnectionFault, InvalidResponseError, RetryableError, TimeoutFault

if TYPE_CHECKING:
    from crossdock.core.http import ChannelHttp

DOWNLOAD = "bulkDownload"
EXPIRED_LINK = frozenset({400, 401, 403, 404, 410})


def open_file(http: ChannelHttp, url: str) -> tuple[requests.Response, Iterator[bytes]]:
    """The download under way and its lines, the first one read (a JSON object), or the
    RetryableError why not."""
    http.stats.calls[DOWNLOAD] += 1
    try:
        response = http.session.get(url, stream=True, timeout=http.timeout)
    except requests.Timeout as exc:
        raise TimeoutFault(CHANNEL, "bulk file download timed out") from exc
    except requests.RequestException as exc:
        raise ConnectionFault(CHANNEL, f"bulk file download failed: {exc}") from exc
    try:
        if response.status_code != 200:
            raise RetryableError(
                CHANNEL,
                f"bulk file HTTP {response.status_code}: {response.text[:200]}",
                status=response.status_code,
            )
        lines = (line for line in response.iter_lines(chunk_size=64 * 1024) if line.strip())
        first = next(lines, b"")
        if not first.startswith(b"{"):
            raise InvalidResponseError(
                CHANNEL, f"bulk file does not start with a JSON object: {first[:80]!r}"
            )
    except requests.RequestException as exc:
        response.close()
        raise ConnectionFault(CHANNEL, f"bulk file download broke off: {exc}") from exc
    except RetryableError:
        response.close()
        raise
    return response, itertools.chain((first,), lines)
