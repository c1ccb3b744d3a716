"""Feed documents in the Amazon sandbox, and the presigned S3-like URLs that carry them.

`createFeedDocument` and processing reports get an id `amzn1.tortuga.4.na.<uuid>.T<digits>` and a
URL on this same server, `/feed-documents/<id>?X-Amz-Algorithm=…&X-Amz-Date=…&X-Amz-Expires=300
&X-Amz-Signature=…`, signed for one method and (for PUT) one Content-Type, valid 5 minutes. It answers
as S3: PUT stores the body (200, empty), GET returns it; an expired URL is 403 `AccessDenied`
"Request has expired", a wrong signature or Content-Type 403 `SignatureDoesNotMatch`, an unknown
object 404 `NoSuchKey`, all as S3's XML error document. No LWA token: the signature is the grant.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from crossdock_local.sandboxes.base import Reply, Request

URL_LIFETIME_S = 300
DOCUMENTS_PREFIX = "/feed-documents/"


def s3_error(status: int, code: str, message: str) -> Reply:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    )
    return Reply(status, body, {"Content-Type": "application/xml"})


@dataclass
class Document:
    document_id: str
    shop_id: str
    content_type: str
    body: bytes | None = None
    compression: str | None = None  # "GZIP" for reports written compressed


class DocumentStore:
    def __init__(self) -> None:
        self.url_lifetime_s = URL_LIFETIME_S
        self._documents: dict[str, Document] = {}
        self._secret = secrets.token_bytes(32)
        self._lock = threading.Lock()

    def create(
        self, shop_id: str, content_type: str, body: bytes | None = None, compression: str | None = None
    ) -> Document:
        number = int(time.time() * 1000)
        document = Document(
            f"amzn1.tortuga.4.na.{uuid.uuid4()}.T{number}", shop_id, content_type, body, compression
        )
        with self._lock:
            self._documents[document.document_id] = document
        return document

    def get(self, document_id: str) -> Document | None:
        with self._lock:
            return self._documents.get(document_id)

    def _signature(self, method: str, document: Document, stamp: str, expires: str) -> str:
        signed = "\n".join(
            (method, document.document_id, document.content_type if method == "PUT" else "", stamp, expires)
        )
        return hmac.new(self._secret, signed.encode("utf-8"), hashlib.sha256).hexdigest()

    def url(self, base_url: str, method: str, document: Document) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        expires = str(self.url_lifetime_s)
        signature = self._signature(method, document, stamp, expires)
        return (
            f"{base_url}{DOCUMENTS_PREFIX}{document.document_id}?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Date={stamp}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host"
            f"&X-Amz-Signature={signature}"
        )

    def _check(self, request: Request, document_id: str) -> Document | Reply:
        document = self.get(document_id)
        if document is None:
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        stamp, expires = request.query.get("X-Amz-Date", ""), request.query.get("X-Amz-Expires", "")
        given = request.query.get("X-Amz-Signature", "")
        if request.method == "PUT" and request.headers.get("content-type", "") != document.content_type:
            given = ""  # the Content-Type is part of what was signed
        if not hmac.compare_digest(given, self._signature(request.method, document, stamp, expires)):
            message = "The request signature we calculated does not match the signature you provided."
            return s3_error(403, "SignatureDoesNotMatch", message)
        try:
            issued = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            return s3_error(403, "AccessDenied", "X-Amz-Date is not a valid date")
        if (datetime.now(UTC) - issued).total_seconds() > int(expires):
            return s3_error(403, "AccessDenied", "Request has expired")
        return document

    def put(self, request: Request, document_id: str) -> Reply:
        document = self._check(request, document_id)
        if isinstance(document, Reply):
            return document
        with self._lock:
            document.body = request.body
        return Reply(200, b"", {"ETag": f'"{hashlib.md5(request.body, usedforsecurity=False).hexdigest()}"'})

    def download(self, request: Request, document_id: str) -> Reply:
        document = self._check(request, document_id)
        if isinstance(document, Reply):
            return document
        if document.body is None:
            return s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return Reply(200, document.body, {"Content-Type": "application/octet-stream"})
