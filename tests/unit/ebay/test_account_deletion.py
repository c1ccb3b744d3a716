"""eBay Marketplace Account Deletion: the endpoint check's hash, the X-EBAY-SIGNATURE header, ECDSA/SHA-1
verification over the raw body and its compact form, eBay's one-line PEM, the notification's shape,
and the adapter's key fetch (application token, one call per kid, unknown kid = forged)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest
import responses
from crossdock.channels.ebay.account_deletion import (
    APP_SCOPE,
    RATES,
    EbayAccountDeletion,
    challenge_response,
    erasure_request,
    forget_keys,
    parse_signature,
    pem_from_ebay,
    verifies,
)
from crossdock.core.errors import RetriesExhaustedError
from crossdock.core.http import ChannelHttp, RetryPolicy
from crossdock.orders.rules.notices import FORGED, MALFORMED, InvalidNotice
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

# The SDK test fixture's notification (push-contracts §5.3), as eBay sends it: compact JSON.
FIXTURE = {
    "metadata": {"topic": "MARKETPLACE_ACCOUNT_DELETION", "schemaVersion": "1.0", "deprecated": False},
    "notification": {
        "notificationId": "49feeaeb-4982-42d9-a377-9645b8479411_33f7e043-fed8-442b-9d44-791923bd9a6d",
        "eventDate": "2021-03-19T20:43:59.462Z",
        "publishDate": "2021-03-19T20:43:59.679Z",
        "publishAttemptCount": 1,
        "data": {
            "username": "test_user",
            "userId": "ma8vp1jySJC",
            "eiasToken": "nY+sHZ2PrBmdj6wVnY+sEZ2PrA2dj6wJnY+gAZGEpwmdj6x9nY+seQ==",
        },
    },
}
COMPACT = json.dumps(FIXTURE, separators=(",", ":")).encode()
API = "https://api.example.test"
KID = "9936261a-7d7b-4621-a0f1-96ccb428af49"


def one_line_pem(key: ec.EllipticCurvePrivateKey) -> str:
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "".join(pem.decode().splitlines())


def header(key: ec.EllipticCurvePrivateKey, message: bytes, kid: str = KID, **fields: str) -> str:
    signature = base64.b64encode(key.sign(message, ec.ECDSA(hashes.SHA1()))).decode()
    decoded = {"alg": "ecdsa", "kid": kid, "signature": signature, "digest": "SHA1", **fields}
    return base64.b64encode(json.dumps(decoded).encode()).decode()


@pytest.fixture
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


# -- the endpoint check ----------------------------------------------------------------------------------
def test_the_challenge_response_is_the_sha256_of_code_token_and_endpoint() -> None:
    # computed with coreutils: printf '%s' CODE TOKEN ENDPOINT | sha256sum
    assert (
        challenge_response(
            "a8628072-3d33-45ee-9004-bee86830a22d",
            "71745723-d031-455c-bfa5-f90d11b4f20a",
            "https://crossdock.example.com/ebay/account-deletion",
        )
        == "968c6c267db22072fa6834ef9b224bdf8bc918aff557c23d5ccc9c0ce609c717"
    )


# -- the signature ---------------------------------------------------------------------------------------
def test_a_signature_over_the_raw_body_verifies(key: ec.EllipticCurvePrivateKey) -> None:
    signature = parse_signature(header(key, COMPACT))
    pem = pem_from_ebay(one_line_pem(key))
    assert signature.kid == KID
    assert verifies(pem, signature.signature, COMPACT)


def test_a_body_sent_indented_verifies_by_its_compact_form_as_ebays_sdk_does(
    key: ec.EllipticCurvePrivateKey,
) -> None:
    indented = json.dumps(FIXTURE, indent=2).encode()
    signature = parse_signature(header(key, COMPACT))
    assert verifies(pem_from_ebay(one_line_pem(key)), signature.signature, indented)


def test_another_key_or_a_changed_body_does_not_verify(key: ec.EllipticCurvePrivateKey) -> None:
    signature = parse_signature(header(key, COMPACT))
    other = pem_from_ebay(one_line_pem(ec.generate_private_key(ec.SECP256R1())))
    changed = COMPACT.replace(b"test_user", b"else_user")
    assert not verifies(other, signature.signature, COMPACT)
    assert not verifies(pem_from_ebay(one_line_pem(key)), signature.signature, changed)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "not base64!",
        base64.b64encode(b"not json").decode(),
        base64.b64encode(json.dumps({"alg": "ecdsa", "kid": KID}).encode()).decode(),
    ],
)
def test_a_missing_or_unreadable_header_is_forged(value: str | None) -> None:
    with pytest.raises(InvalidNotice) as refused:
        parse_signature(value)
    assert refused.value.reason == FORGED


def test_an_algorithm_other_than_ecdsa_sha1_is_forged(key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(InvalidNotice) as refused:
        parse_signature(header(key, COMPACT, alg="rsa"))
    assert refused.value.reason == FORGED


def test_ebays_one_line_pem_loads_and_a_wrapped_one_too(key: ec.EllipticCurvePrivateKey) -> None:
    one_line = one_line_pem(key)
    assert "\n" not in one_line
    wrapped = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert pem_from_ebay(one_line) == wrapped
    assert pem_from_ebay(wrapped.decode()) == wrapped
    with pytest.raises(ValueError):
        pem_from_ebay("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE")


# -- the notification ------------------------------------------------------------------------------------
def test_the_sdk_fixture_is_an_erasure_request() -> None:
    request = erasure_request(COMPACT)
    assert request is not None
    assert (request.platform, request.request_id) == ("ebay", FIXTURE["notification"]["notificationId"])
    assert (request.username, request.user_id, request.attempt) == ("test_user", "ma8vp1jySJC", 1)
    assert (
        request.event_date is not None
        and request.event_date.isoformat() == "2021-03-19T20:43:59.462000+00:00"
    )


def test_another_topic_is_no_erasure() -> None:
    other = {**FIXTURE, "metadata": {**FIXTURE["metadata"], "topic": "ITEM_SOLD"}}
    assert erasure_request(json.dumps(other).encode()) is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"metadata": {"topic": "MARKETPLACE_ACCOUNT_DELETION"}}).encode(),
        json.dumps({**FIXTURE, "notification": {**FIXTURE["notification"], "notificationId": ""}}).encode(),
        json.dumps(
            {**FIXTURE, "notification": {**FIXTURE["notification"], "data": {"username": 7}}}
        ).encode(),
        json.dumps(
            {**FIXTURE, "notification": {**FIXTURE["notification"], "eventDate": "yesterday"}}
        ).encode(),
    ],
)
def test_a_body_not_of_the_documented_shape_is_malformed(body: bytes) -> None:
    with pytest.raises(InvalidNotice) as refused:
        erasure_request(body)
    assert refused.value.reason == MALFORMED


# -- the adapter -----------------------------------------------------------------------------------------
SECRET = {
    "client_id": "App-crossdock-PRD-1",
    "client_secret": "PRD-s3cret",
    "verification_token": "71745723-d031-455c-bfa5-f90d11b4f20a",
    "endpoints": {"api": API, "identity": API},
}


@pytest.fixture
def adapter() -> Iterator[EbayAccountDeletion]:
    forget_keys()
    http = ChannelHttp("ebay", RATES, sleep=lambda _: None, retry=RetryPolicy(max_attempts=2))
    yield EbayAccountDeletion(lambda: SECRET, http)
    forget_keys()


def serve_key(mocked: responses.RequestsMock, key: ec.EllipticCurvePrivateKey) -> None:
    mocked.post(API + "/identity/v1/oauth2/token", json={"access_token": "app-1", "expires_in": 7200})
    body = {"key": one_line_pem(key), "algorithm": "ECDSA", "digest": "SHA1"}
    mocked.get(f"{API}/commerce/notification/v1/public_key/{KID}", json=body)


def test_the_key_is_fetched_once_per_kid_with_an_application_token(
    adapter: EbayAccountDeletion, key: ec.EllipticCurvePrivateKey
) -> None:
    with responses.RequestsMock() as mocked:
        serve_key(mocked, key)

        first = adapter.read({"X-EBAY-SIGNATURE": header(key, COMPACT)}, COMPACT)
        second = adapter.read({"x-ebay-signature": header(key, COMPACT)}, COMPACT)

        token_call, key_call = mocked.calls
    assert first == second and first is not None and first.username == "test_user"
    form = parse_qs(str(token_call.request.body))
    assert form == {"grant_type": ["client_credentials"], "scope": [APP_SCOPE]}
    assert token_call.request.headers["Authorization"].startswith("Basic ")
    assert key_call.request.headers["Authorization"] == "Bearer app-1"


def test_a_forged_signature_is_refused(adapter: EbayAccountDeletion, key: ec.EllipticCurvePrivateKey) -> None:
    forger = ec.generate_private_key(ec.SECP256R1())
    with responses.RequestsMock() as mocked:
        serve_key(mocked, key)
        with pytest.raises(InvalidNotice) as refused:
            adapter.read({"X-EBAY-SIGNATURE": header(forger, COMPACT)}, COMPACT)
    assert refused.value.reason == FORGED


def test_a_kid_ebay_does_not_know_is_forged(
    adapter: EbayAccountDeletion, key: ec.EllipticCurvePrivateKey
) -> None:
    with responses.RequestsMock() as mocked:
        mocked.post(API + "/identity/v1/oauth2/token", json={"access_token": "app-1", "expires_in": 7200})
        error: dict[str, Any] = {
            "errors": [{"errorId": 195001, "domain": "API_NOTIFICATION", "message": "?"}]
        }
        mocked.get(f"{API}/commerce/notification/v1/public_key/{KID}", status=404, json=error)
        with pytest.raises(InvalidNotice) as refused:
            adapter.read({"X-EBAY-SIGNATURE": header(key, COMPACT)}, COMPACT)
    assert refused.value.reason == FORGED


def test_ebay_failing_to_serve_the_key_is_a_fault_not_a_refusal(
    adapter: EbayAccountDeletion, key: ec.EllipticCurvePrivateKey
) -> None:
    with responses.RequestsMock() as mocked:
        mocked.post(API + "/identity/v1/oauth2/token", json={"access_token": "app-1", "expires_in": 7200})
        mocked.get(f"{API}/commerce/notification/v1/public_key/{KID}", status=503, body="down")
        with pytest.raises(RetriesExhaustedError):
            adapter.read({"X-EBAY-SIGNATURE": header(key, COMPACT)}, COMPACT)


def test_a_delivery_without_a_signature_is_forged_before_any_call(adapter: EbayAccountDeletion) -> None:
    with responses.RequestsMock() as mocked:
        with pytest.raises(InvalidNotice) as refused:
            adapter.read({}, COMPACT)
        assert not mocked.calls
    assert refused.value.reason == FORGED


def test_the_challenge_uses_the_registered_endpoint_else_the_url_it_arrived_on() -> None:
    arrived = "https://abc.lambda-url.us-east-1.on.aws/"
    plain = EbayAccountDeletion(lambda: SECRET, ChannelHttp("ebay", RATES))
    registered = EbayAccountDeletion(
        lambda: {**SECRET, "endpoint": "https://x.example/e"}, ChannelHttp("ebay", RATES)
    )
    token = SECRET["verification_token"]
    assert plain.challenge("c", arrived) == challenge_response("c", token, arrived)
    assert registered.challenge("c", arrived) == challenge_response("c", token, "https://x.example/e")


def test_a_secret_without_the_verification_token_is_refused() -> None:
    incomplete = {k: v for k, v in SECRET.items() if k != "verification_token"}
    with pytest.raises(ValueError, match="verification_token"):
        EbayAccountDeletion(lambda: incomplete, ChannelHttp("ebay", RATES)).challenge("c", "https://x/")
