"""The Login with Amazon side of the Amazon sandbox: refresh tokens in, one-hour access tokens out.

One app (client id and secret) and one refresh token per seller, as after a seller authorizes the
app. `POST /auth/o2/token` answers like LWA: `{"access_token": "Atza|…", "token_type": "bearer",
"expires_in": 3600}`, or `{"error": …, "error_description": …}` — 401 `invalid_client` for a wrong
app, 400 `invalid_grant` for an unknown or revoked refresh token. SP-API calls are then checked here:
a missing, unknown, revoked or expired `x-amz-access-token` gets SP-API's 403 `Unauthorized`.
Revoking a seller also ends its live access tokens (an assumption: Amazon does not document it).

Grantless: `grant_type=client_credentials&scope=sellingpartnerapi::notifications` with the app's
client id and secret issues an *application* token (no seller); `scope` and `refresh_token` are
mutually exclusive, an unknown scope is 400 `invalid_scope`. Grantless operations accept only such a
token (`authorize_application`); seller operations refuse it (`authorize`), as SP-API does.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from crossdock_local.sandboxes.amazon.wire import sp_api_error
from crossdock_local.sandboxes.base import Reply, Request

ACCESS_TOKEN_LIFETIME_S = 3600
DENIED = "Access to requested resource is denied."
GRANTLESS_SCOPES = frozenset({"sellingpartnerapi::notifications", "sellingpartnerapi::migration"})


def lwa_error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error_description": description, "error": error})


@dataclass
class Grant:
    shop_id: str
    refresh_token: str
    revoked: bool = False
    access_tokens: dict[str, float] = field(default_factory=dict)  # token → expiry (monotonic clock)


class LwaAuthority:
    def __init__(self) -> None:
        self.client_id = f"amzn1.application-oa2-client.{secrets.token_hex(16)}"
        self.client_secret = f"amzn1.oa2-cs.v1.{secrets.token_hex(32)}"
        self.grants: dict[str, Grant] = {}
        self._owner_of: dict[str, Grant] = {}  # access token → grant
        self._application: dict[str, tuple[str, float]] = {}  # grantless token → (scope, expiry)
        self._lock = threading.Lock()

    def register(self, shop_id: str) -> dict[str, Any]:
        """The seller's Secrets Manager JSON: the app's client credentials and its refresh token."""
        grant = Grant(shop_id, f"Atzr|{secrets.token_urlsafe(48)}")
        with self._lock:
            self.grants[shop_id] = grant
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": grant.refresh_token,
        }

    def revoke(self, shop_id: str) -> None:
        with self._lock:
            grant = self.grants[shop_id]
            grant.revoked = True
            for token in grant.access_tokens:
                self._owner_of.pop(token, None)
            grant.access_tokens.clear()

    def reinstate(self, shop_id: str) -> None:
        with self._lock:
            self.grants[shop_id].revoked = False

    def expire(self, shop_id: str) -> None:
        """Age the seller's live access tokens past their hour."""
        with self._lock:
            tokens = self.grants[shop_id].access_tokens
            for token in tokens:
                tokens[token] = 0.0

    def exchange(self, request: Request) -> Reply:
        form = request.json() if "json" in request.headers.get("content-type", "") else request.form()
        if form.get("grant_type") == "client_credentials":
            return self._grantless(form)
        if form.get("grant_type") != "refresh_token":
            return lwa_error(400, "unsupported_grant_type", "The authorization grant type is not supported")
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return lwa_error(401, "invalid_client", "Client authentication failed")
        with self._lock:
            grant = next(
                (g for g in self.grants.values() if g.refresh_token == form.get("refresh_token")), None
            )
            if grant is None or grant.revoked:
                return lwa_error(
                    400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
                )
            token = f"Atza|{secrets.token_urlsafe(64)}"
            grant.access_tokens[token] = time.monotonic() + ACCESS_TOKEN_LIFETIME_S
            self._owner_of[token] = grant
        body = {
            "access_token": token,
            "refresh_token": grant.refresh_token,
            "token_type": "bearer",
            "expires_in": ACCESS_TOKEN_LIFETIME_S,
        }
        return Reply(200, body)

    def _grantless(self, form: dict[str, Any]) -> Reply:
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return lwa_error(401, "invalid_client", "Client authentication failed")
        if "refresh_token" in form:
            return lwa_error(400, "invalid_request", "scope and refresh_token cannot be used together")
        scope = form.get("scope", "")
        if scope not in GRANTLESS_SCOPES:
            return lwa_error(400, "invalid_scope", "The request has an invalid parameter : scope")
        token = f"Atc|{secrets.token_urlsafe(64)}"
        with self._lock:
            self._application[token] = (scope, time.monotonic() + ACCESS_TOKEN_LIFETIME_S)
        return Reply(200, {"access_token": token, "scope": scope, "token_type": "bearer", "expires_in": 3600})

    def authorize_application(self, request: Request, scope: str) -> Reply | None:
        """None when `x-amz-access-token` is a live grantless token for `scope`; SP-API's 403 else
        (a seller's token included: grantless operations take the application's token)."""
        token = request.headers.get("x-amz-access-token", "")
        with self._lock:
            held = self._application.get(token)
        if held is None or held[0] != scope:
            details = f"A grantless access token for scope {scope} is required." if token else ""
            return sp_api_error(403, "Unauthorized", DENIED, details)
        if held[1] <= time.monotonic():
            return sp_api_error(403, "Unauthorized", DENIED, "The access token you provided has expired.")
        return None

    def is_application_token(self, request: Request) -> bool:
        with self._lock:
            return request.headers.get("x-amz-access-token", "") in self._application

    def authorize(self, request: Request) -> str | Reply:
        """The shop a live `x-amz-access-token` belongs to, or SP-API's 403 for it."""
        token = request.headers.get("x-amz-access-token", "")
        with self._lock:
            grant = self._owner_of.get(token)
            if grant is None:
                details = "The access token you provided is revoked, malformed or invalid." if token else ""
                return sp_api_error(403, "Unauthorized", DENIED, details)
            if grant.access_tokens[token] <= time.monotonic():
                return sp_api_error(403, "Unauthorized", DENIED, "The access token you provided has expired.")
            return grant.shop_id
