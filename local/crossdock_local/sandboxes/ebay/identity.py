"""The eBay sandbox's OAuth server: `POST /identity/v1/oauth2/token`, the refresh_token grant (a seller's
User access token) and the client_credentials grant (the application's own token, scope
`https://api.ebay.com/oauth/api_scope`, what the Notification API's getPublicKey takes).

Checks, in eBay's order and shapes: `Basic base64(client_id:client_secret)` (401 invalid_client), a form
body with `grant_type=refresh_token` (400 unsupported_grant_type / invalid_request), the seller's
refresh token (400 invalid_grant, also once the seller revoked consent) and the scopes (400
invalid_scope unless a subset of those granted). Issues access tokens that live 2 hours; API calls
present them as `Authorization: Bearer …` (401 errorId 1001 when unknown, expired or revoked; 403
errorId 1100 without a scope the operation accepts, as the models' `security` lists them).
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from dataclasses import dataclass

from crossdock_local.sandboxes.base import Reply, Request
from crossdock_local.sandboxes.ebay.filter import ACCESS_DENIED, INVALID_TOKEN, platform_error

SCOPE = "https://api.ebay.com/oauth/api_scope/"
GRANTED_SCOPES = frozenset(
    SCOPE + s
    for s in ("sell.fulfillment", "sell.fulfillment.readonly", "sell.inventory", "sell.inventory.readonly")
)
FULFILLMENT_SCOPES = frozenset(SCOPE + s for s in ("sell.fulfillment", "sell.fulfillment.readonly"))
INVENTORY_WRITE_SCOPES = frozenset({SCOPE + "sell.inventory"})
INVENTORY_READ_SCOPES = frozenset(SCOPE + s for s in ("sell.inventory", "sell.inventory.readonly"))
MALFORMED = "request is missing a required parameter or malformed."
APPLICATION_SCOPES = frozenset({"https://api.ebay.com/oauth/api_scope"})


@dataclass(frozen=True)
class Grant:
    shop_id: str
    scopes: frozenset[str]
    expires_at: float  # time.monotonic()


def oauth_error(status: int, error: str, description: str) -> Reply:
    return Reply(status, {"error": error, "error_description": description})


def basic_credentials(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return user, password


class EbayIdentity:
    """One eBay application (client id/secret) and the sellers who granted it consent."""

    def __init__(self, token_lifetime_s: int = 7200) -> None:
        self.client_id = "Crossdoc-crossdock-PRD-5f1e2d3c4-a1b2c3d4"
        self.client_secret = "PRD-5f1e2d3c4b5a-6978-4a1b-8c2d-3e4f"
        self.token_lifetime_s = token_lifetime_s
        self.refresh_tokens: dict[str, str] = {}  # refresh token → shop id
        self.revoked: set[str] = set()
        self.grants: dict[str, Grant] = {}  # access token → grant
        self.application_tokens: dict[str, float] = {}  # application access token → expiry (monotonic)
        self._lock = threading.Lock()

    def consent(self, shop_id: str) -> str:
        """The seller authorizes the app: a new refresh token (eBay's `v^1.1#…` shape)."""
        token = "v^1.1#i^1#r^1#p^3#I^3#f^0#t^" + secrets.token_urlsafe(48)
        with self._lock:
            self.refresh_tokens[token] = shop_id
        return token

    def revoke(self, shop_id: str) -> None:
        with self._lock:
            self.revoked.add(shop_id)
            self.grants = {token: g for token, g in self.grants.items() if g.shop_id != shop_id}

    def reinstate(self, shop_id: str) -> None:
        with self._lock:
            self.revoked.discard(shop_id)

    def token(self, request: Request) -> Reply:
        if basic_credentials(request.headers.get("authorization", "")) != (
            self.client_id,
            self.client_secret,
        ):
            return oauth_error(401, "invalid_client", "client authentication failed")
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return oauth_error(400, "invalid_request", MALFORMED)
        form = request.form()
        if form.get("grant_type") == "client_credentials":
            return self._application_token(form)
        if form.get("grant_type") != "refresh_token":
            return oauth_error(400, "unsupported_grant_type", "grant type in request is not supported")
        if not form.get("refresh_token"):
            return oauth_error(400, "invalid_request", MALFORMED)
        with self._lock:
            shop_id = self.refresh_tokens.get(form["refresh_token"])
            if shop_id is None or shop_id in self.revoked:
                return oauth_error(
                    400,
                    "invalid_grant",
                    "the provided authorization refresh token is invalid or was issued to another client",
                )
            scopes = frozenset(form.get("scope", "").split()) or GRANTED_SCOPES
            if not scopes <= GRANTED_SCOPES:
                return oauth_error(
                    400,
                    "invalid_scope",
                    "the requested scope is invalid, unknown, malformed, or exceeds the scope granted",
                )
            token = "v^1.1#i^1#p^3#I^3#r^0#f^0#t^" + secrets.token_urlsafe(64)
            self.grants[token] = Grant(shop_id, scopes, time.monotonic() + self.token_lifetime_s)
        body = {"access_token": token, "expires_in": self.token_lifetime_s, "token_type": "User Access Token"}
        return Reply(200, body)

    def _application_token(self, form: dict[str, str]) -> Reply:
        scopes = frozenset(form.get("scope", "").split())
        if not scopes or not scopes <= APPLICATION_SCOPES:
            return oauth_error(
                400,
                "invalid_scope",
                "the requested scope is invalid, unknown, malformed, or exceeds the scope granted",
            )
        token = "v^1.1#i^1#p^1#r^0#I^3#f^0#t^" + secrets.token_urlsafe(64)
        with self._lock:
            self.application_tokens[token] = time.monotonic() + self.token_lifetime_s
        body = {
            "access_token": token,
            "expires_in": self.token_lifetime_s,
            "token_type": "Application Access Token",
        }
        return Reply(200, body)

    def authorize_application(self, request: Request) -> None:
        """A valid application access token on this request, or eBay's 401 as an exception."""
        header = request.headers.get("authorization", "")
        with self._lock:
            expires = self.application_tokens.get(header.removeprefix("Bearer "), 0.0)
        if not header.startswith("Bearer ") or expires <= time.monotonic():
            raise platform_error(INVALID_TOKEN)

    def grant_of(self, request: Request) -> Grant | None:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return None
        with self._lock:
            grant = self.grants.get(header.removeprefix("Bearer "))
        return grant if grant is not None and grant.expires_at > time.monotonic() else None

    def authorize(self, request: Request, accepted: frozenset[str] = FULFILLMENT_SCOPES) -> str:
        """The shop whose valid bearer token (with one of the `accepted` scopes) this request carries,
        or eBay's 401/403 as an exception."""
        grant = self.grant_of(request)
        if grant is None:
            raise platform_error(INVALID_TOKEN)
        if not grant.scopes & accepted:
            raise platform_error(ACCESS_DENIED)
        return grant.shop_id
