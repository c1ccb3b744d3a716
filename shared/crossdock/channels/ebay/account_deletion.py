"""eBay Marketplace Account Deletion notifications: the endpoint check and the signed POSTs.

Sources: developer.ebay.com/marketplace-account-deletion; eBay's official SDK
`eBay/event-notification-nodejs-sdk` (`lib/validator.js`, `lib/index.js`); getPublicKey
(developer.ebay.com/api-docs/commerce/notification/resources/public_key/methods/getPublicKey).

Endpoint check: `GET <endpoint>?challenge_code=C` → 200 `{"challengeResponse": hex(SHA-256(C +
verificationToken + endpoint))}`, `endpoint` byte-identical to the URL registered in eBay's portal.

Notification: `POST <endpoint>` with `X-EBAY-SIGNATURE` = base64 of the JSON
`{"alg": "ecdsa", "kid": "…", "signature": "<base64 DER>", "digest": "SHA1"}`. The key comes from
`GET {api}/commerce/notification/v1/public_key/{kid}` with an application access token (OAuth
client-credentials grant, scope `https://api.ebay.com/oauth/api_scope`): `{"key": "-----BEGIN PUBLIC
KEY-----MFkw…-----END PUBLIC KEY-----", "algorithm": "ECDSA", "digest": "SHA1"}`, the PEM without
newlines. eBay asks that a key be cached for "a temporary but reasonable amount of time (e.g. one
hour)": keys are kept per kid for an hour, at most KEY_CACHE_SIZE of them, in this process.
The signature is ECDSA (P-256) with SHA-1 over the message. Which bytes eBay signs is not written
down: the SDK verifies `JSON.stringify(body)`, i.e. the compact re-serialisation. We verify the raw
body first, then its compact re-serialisation (identical when eBay sends compact JSON).

A missing or unreadable signature header, a kid eBay does not know, an algorithm other than
ECDSA/SHA1 or a signature that does not verify: FORGED (the SDK answers 412). A verified body that
is not the documented shape: MALFORMED. A fault fetching the key (eBay down, our app keys refused)
raises: the delivery fails and eBay sends it again.

`cryptography` is imported when a signature is verified, not when this module loads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from crossdock.channels.ebay.oauth import basic_authorization, parse_token
from crossdock.channels.ebay.wire import raise_for_ebay_error
from crossdock.core.errors import AuthError, RequestRejectedError
from crossdock.core.http import ChannelHttp, json_body
from crossdock.core.ratelimit import Rate
from crossdock.core.times import parse_iso
from crossdock.orders.rules.notices import FORGED, MALFORMED, InvalidNotice
from crossdock.orders.rules.privacy import ErasureRequest

CHANNEL = "ebay"
TOPIC = "MARKETPLACE_ACCOUNT_DELETION"
SIGNATURE_HEADER = "x-ebay-signature"
ENDPOINTS = {"api": "https://api.ebay.com", "identity": "https://api.ebay.com"}
TOKEN_PATH = "/identity/v1/oauth2/token"
PUBLIC_KEY_PATH = "/commerce/notification/v1/public_key/"
APP_SCOPE = "https://api.ebay.com/oauth/api_scope"
KEY_OPERATION = "getPublicKey"
APP_TOKEN_OPERATION = "applicationToken"
# eBay publishes daily quotas only; with keys cached an hour, a handful of calls a day is the norm.
RATES = {KEY_OPERATION: Rate(5.0, 25.0), APP_TOKEN_OPERATION: Rate(0.5, 5.0)}
SECRET_FIELDS = ("client_id", "client_secret", "verification_token")
KEY_CACHE_SIZE = 32
KEY_MAX_AGE_S = 3600.0
EXPIRY_MARGIN_S = 30.0
PEM = re.compile(r"-----BEGIN PUBLIC KEY-----(?P<body>.*?)-----END PUBLIC KEY-----", re.DOTALL)


# -- the endpoint check --------------------------------------------------------------------------
def challenge_response(challenge_code: str, verification_token: str, endpoint: str) -> str:
    """hex(SHA-256(challengeCode + verificationToken + endpoint)), as eBay's SDK computes it."""
    digest = hashlib.sha256()
    for part in (challenge_code, verification_token, endpoint):
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


# -- the signature -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Signature:
    alg: str
    kid: str
    signature: bytes
    digest: str


def parse_signature(header: str | None) -> Signature:
    """The decoded X-EBAY-SIGNATURE header; InvalidNotice(FORGED) when absent or unreadable."""
    if not header:
        raise InvalidNotice("no X-EBAY-SIGNATURE header", reason=FORGED)
    try:
        fields = json.loads(base64.b64decode(header, validate=True))
        signature = base64.b64decode(fields["signature"], validate=True)
        alg, kid, digest = str(fields["alg"]), str(fields["kid"]), str(fields["digest"])
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise InvalidNotice("unreadable X-EBAY-SIGNATURE header", reason=FORGED) from exc
    if not kid or alg.lower() != "ecdsa" or digest.upper() != "SHA1":
        raise InvalidNotice(f"signature alg {alg!r} digest {digest!r}: not eBay's ECDSA/SHA1", reason=FORGED)
    return Signature(alg, kid, signature, digest)


def pem_from_ebay(key: str) -> bytes:
    """eBay's key as a loadable PEM: the base64 body re-wrapped between its BEGIN and END lines
    (getPublicKey sends it on one line, without the newlines PEM requires)."""
    found = PEM.search(key)
    if found is None:
        raise ValueError("not a PEM public key")
    body = "".join(found["body"].split())
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN PUBLIC KEY-----\n" + "\n".join(lines) + "\n-----END PUBLIC KEY-----\n").encode()


def compact(body: bytes) -> bytes | None:
    """The body as Node's JSON.stringify writes it back (what eBay's SDK verifies); None if not JSON."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def verifies(pem: bytes, signature: bytes, body: bytes) -> bool:
    """Whether `signature` (DER, ECDSA/SHA-1) verifies over the raw body or its compact form."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    key = load_pem_public_key(pem)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    for message in dict.fromkeys(m for m in (body, compact(body)) if m is not None):
        try:
            key.verify(signature, message, ec.ECDSA(hashes.SHA1()))  # noqa: S303 - eBay's scheme
            return True
        except InvalidSignature:
            continue
    return False


# -- the notification ----------------------------------------------------------------------------
def erasure_request(body: bytes) -> ErasureRequest | None:
    """The verified body → the erasure it asks for (None: another topic); MALFORMED if not the
    documented shape (metadata.topic, notification.notificationId, data.username/userId)."""
    try:
        payload = json.loads(body)
        topic = payload["metadata"]["topic"]
        notification = payload["notification"]
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidNotice("not an eBay notification (metadata.topic, notification)") from exc
    if topic != TOPIC:
        return None
    data = notification.get("data") if isinstance(notification, dict) else None
    request_id = notification.get("notificationId") if isinstance(notification, dict) else None
    if not isinstance(data, dict) or not isinstance(request_id, str) or not request_id:
        raise InvalidNotice("account deletion without notificationId or data", reason=MALFORMED)
    username, user_id = data.get("username"), data.get("userId")
    if not isinstance(username, str) or not isinstance(user_id, str) or not (username or user_id):
        raise InvalidNotice("account deletion without username/userId", reason=MALFORMED)
    try:
        event_date = parse_iso(notification["eventDate"]) if notification.get("eventDate") else None
    except (TypeError, ValueError) as exc:
        raise InvalidNotice("unreadable eventDate", reason=MALFORMED) from exc
    attempt = notification.get("publishAttemptCount")
    return ErasureRequest(
        platform=CHANNEL,
        request_id=request_id,
        user_id=user_id,
        username=username,
        event_date=event_date,
        attempt=attempt if isinstance(attempt, int) and attempt > 0 else 1,
    )


# -- public keys, cached per kid in this process --------------------------------------------------
_keys: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
_keys_lock = threading.Lock()


def cached_key(kid: str, now: float) -> bytes | None:
    with _keys_lock:
        found = _keys.get(kid)
        if found is None or now - found[0] > KEY_MAX_AGE_S:
            return None
        _keys.move_to_end(kid)
        return found[1]


def remember_key(kid: str, pem: bytes, now: float) -> None:
    with _keys_lock:
        _keys[kid] = (now, pem)
        _keys.move_to_end(kid)
        while len(_keys) > KEY_CACHE_SIZE:
            _keys.popitem(last=False)


def forget_keys() -> None:
    with _keys_lock:
        _keys.clear()


# -- the adapter ---------------------------------------------------------------------------------
class EbayAccountDeletion:
    """`orders.ports.DeletionNotices` for eBay. `read_secret()` returns crossdock's eBay application
    secret (client_id, client_secret, verification_token; optional `endpoint`, the URL registered in
    eBay's portal, and `endpoints` {api, identity} for eBay's sandbox or the local one); it is read
    on every request (its reader caches it), so a rotated token needs no redeploy."""

    def __init__(
        self,
        read_secret: Callable[[], Mapping[str, Any]],
        http: ChannelHttp,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read_secret = read_secret
        self._http = http
        self._clock = clock
        self._token: tuple[str, str, float] | None = None  # (client id, token, expires at)

    def secret(self) -> Mapping[str, Any]:
        secret = self._read_secret()
        missing = [f for f in SECRET_FIELDS if not secret.get(f)]
        if missing:
            raise ValueError(f"the eBay application secret lacks {', '.join(missing)}")
        unknown = sorted(set(secret.get("endpoints") or {}) - set(ENDPOINTS))
        if unknown:
            raise ValueError(f"the eBay application secret names unknown endpoints {unknown}")
        return secret

    def challenge(self, code: str, arrived_at: str) -> str:
        secret = self.secret()
        endpoint = str(secret.get("endpoint") or arrived_at)
        return challenge_response(code, str(secret["verification_token"]), endpoint)

    def read(self, headers: Mapping[str, str], body: bytes) -> ErasureRequest | None:
        lowered = {k.lower(): v for k, v in headers.items()}
        signature = parse_signature(lowered.get(SIGNATURE_HEADER))
        pem = self.public_key(signature.kid)
        try:
            good = verifies(pem, signature.signature, body)
        except ValueError as exc:  # a key eBay sent that does not load
            raise InvalidNotice(f"key {signature.kid} does not load: {exc}", reason=FORGED) from exc
        if not good:
            raise InvalidNotice(f"signature does not verify with key {signature.kid}", reason=FORGED)
        return erasure_request(body)

    # -- getPublicKey --------------------------------------------------------------------------------
    def public_key(self, kid: str) -> bytes:
        pem = cached_key(kid, self._clock())
        if pem is not None:
            return pem
        secret = self.secret()
        url = self._endpoint(secret, "api") + PUBLIC_KEY_PATH + quote(kid, safe="")
        cached_token = self._token is not None
        try:
            try:
                pem = self._get_key(url, self._app_token(secret))
            except AuthError as exc:  # a cached application token eBay no longer takes: once more
                if exc.status != 401 or not cached_token:
                    raise
                self._token = None
                pem = self._get_key(url, self._app_token(secret))
        except RequestRejectedError as exc:  # 4xx other than 401/403/429: eBay has no such key
            raise InvalidNotice(f"eBay knows no public key {kid!r} ({exc})", reason=FORGED) from exc
        remember_key(kid, pem, self._clock())
        return pem

    def _get_key(self, url: str, token: str) -> bytes:
        def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            return session.get(url, headers=headers, timeout=timeout)

        return self._http.call(KEY_OPERATION, send, self._parse_key)

    def _parse_key(self, response: requests.Response) -> bytes:
        raise_for_ebay_error(CHANNEL, response)
        body = json_body(CHANNEL, response)
        key = body.get("key") if isinstance(body, dict) else None
        algorithm = str(body.get("algorithm") or "ECDSA").upper() if isinstance(body, dict) else ""
        if not isinstance(key, str) or algorithm != "ECDSA":
            raise InvalidNotice(f"getPublicKey answered no ECDSA key ({algorithm})", reason=FORGED)
        try:
            return pem_from_ebay(key)
        except ValueError as exc:
            raise InvalidNotice("getPublicKey answered no PEM key", reason=FORGED) from exc

    # -- the application token (client-credentials grant) ----------------------------------------------
    def _app_token(self, secret: Mapping[str, Any]) -> str:
        client_id = str(secret["client_id"])
        if self._token is not None and self._token[0] == client_id and self._clock() < self._token[2]:
            return self._token[1]
        url = self._endpoint(secret, "identity") + TOKEN_PATH
        authorization = basic_authorization(client_id, str(secret["client_secret"]))

        def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
            return session.post(
                url,
                headers={"Authorization": authorization, "Accept": "application/json"},
                data={"grant_type": "client_credentials", "scope": APP_SCOPE},
                timeout=timeout,
            )

        token, lifetime = self._http.call(
            APP_TOKEN_OPERATION, send, lambda response: parse_token(CHANNEL, response)
        )
        self._token = (client_id, token, self._clock() + lifetime - EXPIRY_MARGIN_S)
        return token

    @staticmethod
    def _endpoint(secret: Mapping[str, Any], name: str) -> str:
        return str((secret.get("endpoints") or {}).get(name) or ENDPOINTS[name]).rstrip("/")
