"""The presigned S3 URLs the Feeds API hands out: upload a feed document, download a report.

Not SP-API: no LWA header (the URL carries its own signature, valid 5 minutes), no SP-API quota
(ChannelHttp paces them through our own "uploadFeedDocument" / "downloadReport" buckets so they
are counted apart). S3 answers errors as XML `<Error><Code>…</Code><Message>…</Message></Error>`:
503 `SlowDown` → ThrottledError, other 5xx → RetryableError, 4xx (`AccessDenied` "Request has
expired", `SignatureDoesNotMatch` for a Content-Type other than the signed one) → RequestRejectedError.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

import requests

from crossdock.channels.amazon.normalize import CHANNEL
from crossdock.core.errors import RequestRejectedError, RetryableError, ThrottledError
from crossdock.core.http import ChannelHttp, retry_after_seconds

T = TypeVar("T")
UPLOAD = "uploadFeedDocument"
DOWNLOAD = "downloadReport"
SLOW_DOWN_WAIT_S = 1.0
_TAG = re.compile(r"<(Code|Message)>([^<]*)</\1>")


def raise_for_s3_error(operation: str, response: requests.Response) -> None:
    status = response.status_code
    if status < 300:
        return
    parts = dict(_TAG.findall(response.text[:2000]))
    code = parts.get("Code")
    text = f"{operation} HTTP {status} {code}: {parts.get('Message', response.text[:200])}"
    if code == "SlowDown" or status in (429, 503):
        wait = retry_after_seconds(response) or SLOW_DOWN_WAIT_S
        raise ThrottledError(CHANNEL, text, retry_after=wait, code=code, status=status)
    if status >= 500:
        raise RetryableError(CHANNEL, text, code=code, status=status)
    raise RequestRejectedError(CHANNEL, text, code=code, status=status)


def upload(http: ChannelHttp, url: str, document: bytes, content_type: str) -> None:
    def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
        return session.put(url, data=document, headers={"Content-Type": content_type}, timeout=timeout)

    http.call(UPLOAD, send, lambda response: raise_for_s3_error(UPLOAD, response))


def download(http: ChannelHttp, url: str, decode: Callable[[bytes], T]) -> T:
    """The object at `url`, decoded inside the call so a bad body is retried like any fault."""

    def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
        return session.get(url, timeout=timeout)

    def parse(response: requests.Response) -> T:
        raise_for_s3_error(DOWNLOAD, response)
        return decode(response.content)

    return http.call(DOWNLOAD, send, parse)
