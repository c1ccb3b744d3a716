"""The eBay sandbox's Notification side: Marketplace Account Deletion, as eBay delivers it.

- The developer portal: an application's notification endpoint and verification token
  (`configure`), and the portal's endpoint check (`check_endpoint`): `GET <endpoint>?challenge_code=C`
  must answer 200 JSON `{"challengeResponse": hex(SHA-256(C + verificationToken + endpoint))}`.
- The keys: one ECDSA P-256 key pair per key id (`kid`); `GET /commerce/notification/v1/public_key/
  {kid}` (an application access token required) answers `{"key": <PEM on one line>, "algorithm":
  "ECDSA", "digest": "SHA1"}` as eBay does, and an unknown kid eBay's `errors[]` envelope with 404.
- The sender (`send_deletion`): POSTs `{"metadata": …, "notification": …}` (AsyncAPI
  marketplace_account_deletion, the SDK's test fixture shape) with `X-EBAY-SIGNATURE` = base64 JSON
  `{"alg": "ecdsa", "kid", "signature": base64 DER ECDSA/SHA-1 over the body, "digest": "SHA1"}`.
  The body is sent compact, as `JSON.stringify` writes it, and that is what is signed;
  `pretty=True` sends it indented but still signs the compact form (which bytes eBay really signs is
  not documented: a receiver must accept both). Faults: `forged` (signed by a key that is not the
  kid's), `unknown_kid` (a kid eBay never issued), and `resend` (the last notification again, same
  notificationId, publishAttemptCount + 1).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crossdock_local.sandboxes.base import Reply
from crossdock_local.sandboxes.clock import iso_z
from crossdock_local.sandboxes.ebay.filter import EbayRequestError

TOPIC = "MARKETPLACE_ACCOUNT_DELETION"
# eBay's Notification API answers an unknown key id in its errors[] envelope; the id and text here are
# the sandbox's (eBay's own error list for getPublicKey was not found).
UNKNOWN_KEY = (195001, "The specified public key id was not found.")
FAULTS = frozenset({"forged", "unknown_kid"})


@dataclass(frozen=True)
class Delivery:
    """What the sandbox sent, and the answer it got."""

    notification_id: str
    attempt: int
    body: bytes
    signature_header: str
    status: int
    username: str
    user_id: str


@dataclass
class Portal:
    endpoint: str = ""
    verification_token: str = ""
    validated: bool = False
    deliveries: list[Delivery] = field(default_factory=list)


def verification_token() -> str:
    """A token as the portal accepts (32–80 characters: letters, digits, `_`, `-`)."""
    return secrets.token_urlsafe(48)[:64]


def one_line_pem(key: ec.EllipticCurvePublicKey) -> str:
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "".join(pem.decode("ascii").splitlines())  # getPublicKey sends it without newlines


class EbayNotifications:
    def __init__(self) -> None:
        self.keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        self.current_kid = self.rotate()
        self.portal = Portal()
        self._lock = threading.Lock()
        self._last: dict[str, Any] | None = None

    # -- keys ---------------------------------------------------------------------------------------
    def rotate(self) -> str:
        """A new key pair under a new kid, used for every notification from now on."""
        kid = str(uuid.uuid4())
        self.keys[kid] = ec.generate_private_key(ec.SECP256R1())
        self.current_kid = kid
        return kid

    def public_key(self, kid: str) -> Reply:
        key = self.keys.get(kid)
        if key is None:
            error_id, message = UNKNOWN_KEY
            return EbayRequestError(error_id, message, status=404, domain="API_NOTIFICATION").reply()
        return Reply(200, {"key": one_line_pem(key.public_key()), "algorithm": "ECDSA", "digest": "SHA1"})

    # -- the developer portal ------------------------------------------------------------------------
    def configure(self, endpoint: str, token: str | None = None) -> str:
        """Register the notification endpoint and its verification token; returns the token."""
        self.portal = Portal(endpoint=endpoint, verification_token=token or verification_token())
        return self.portal.verification_token

    def check_endpoint(self, challenge_code: str | None = None) -> bool:
        """The portal's check: GET the endpoint with a challenge code, compare the hash."""
        code = challenge_code or secrets.token_hex(32)
        portal = self.portal
        response = requests.get(portal.endpoint, params={"challenge_code": code}, timeout=10)
        expected = hashlib.sha256((code + portal.verification_token + portal.endpoint).encode()).hexdigest()
        try:
            answer = response.json().get("challengeResponse")
        except (ValueError, AttributeError):
            answer = None
        ok = (
            response.status_code == 200
            and response.headers.get("content-type", "").startswith("application/json")
            and answer == expected
        )
        portal.validated = ok
        return ok

    # -- the sender ----------------------------------------------------------------------------------
    def send_deletion(
        self, username: str, user_id: str, *, fault: str | None = None, pretty: bool = False
    ) -> Delivery:
        """One MARKETPLACE_ACCOUNT_DELETION notification for the user, POSTed to the endpoint."""
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {sorted(FAULTS)} (resend: `resend()`)")
        now = iso_z(datetime.now(UTC), millis=True)
        payload = {
            "metadata": {"topic": TOPIC, "schemaVersion": "1.0", "deprecated": False},
            "notification": {
                "notificationId": f"{uuid.uuid4()}_{uuid.uuid4()}",
                "eventDate": now,
                "publishDate": now,
                "publishAttemptCount": 1,
                "data": {"username": username, "userId": user_id, "eiasToken": _eias_token(user_id)},
            },
        }
        return self._post(payload, fault=fault, pretty=pretty)

    def resend(self) -> Delivery:
        """The last notification again, as eBay retries one it saw unacknowledged."""
        with self._lock:
            if self._last is None:
                raise RuntimeError("nothing was sent yet")
            payload = json.loads(json.dumps(self._last))
        payload["notification"]["publishAttemptCount"] += 1
        return self._post(payload)

    def _post(self, payload: dict[str, Any], *, fault: str | None = None, pretty: bool = False) -> Delivery:
        signed = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        body = json.dumps(payload, indent=2, ensure_ascii=False).encode("utf-8") if pretty else signed
        kid = self.current_kid
        signer = self.keys[kid]
        if fault == "forged":
            signer = ec.generate_private_key(ec.SECP256R1())
        if fault == "unknown_kid":
            kid = str(uuid.uuid4())
        signature = signer.sign(signed, ec.ECDSA(hashes.SHA1()))  # noqa: S303 - eBay's documented digest
        header = base64.b64encode(
            json.dumps(
                {
                    "alg": "ecdsa",
                    "kid": kid,
                    "signature": base64.b64encode(signature).decode(),
                    "digest": "SHA1",
                }
            ).encode()
        ).decode()
        response = requests.post(
            self.portal.endpoint,
            data=body,
            headers={"Content-Type": "application/json", "X-EBAY-SIGNATURE": header},
            timeout=30,
        )
        notification = payload["notification"]
        delivery = Delivery(
            notification_id=notification["notificationId"],
            attempt=notification["publishAttemptCount"],
            body=body,
            signature_header=header,
            status=response.status_code,
            username=notification["data"]["username"],
            user_id=notification["data"]["userId"],
        )
        with self._lock:
            if fault is None:
                self._last = payload
            self.portal.deliveries.append(delivery)
        return replace(delivery)


def _eias_token(user_id: str) -> str:
    return base64.b64encode(hashlib.sha256(user_id.encode()).digest()[:36]).decode()
