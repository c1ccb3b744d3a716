"""17TRACK (Tracking API v2.2): the aggregator that knows every carrier, once a number is registered.

A number must be registered (`/register`, one quota unit each) before `/gettrackinfo` tells
anything about it; 17TRACK then polls the carrier on its own. Both take at most 40 numbers per call.
`fetch` asks in calls of 40; a number 17TRACK answers "not registered" (-18019902) for is registered
on the spot, in batches of 40 (registration is asynchronous, so its scans come in a later run), and
answered `Missing("rejected", "not registered; registered now")`.

Rate: 3 requests/second per key, burst 3 — PARTIAL (two third-party summaries of the docs, not in
the stored doc excerpts). The limit is per key, not per operation, so register and gettrackinfo
draw from ONE token bucket (see `_share_bucket`). HTTP 429 beyond it (ChannelHttp retries, honouring
Retry-After if 17TRACK sends one — UNCONFIRMED whether it does).

Credentials: `{"api_key": "<17token>"}`. Endpoint `api` (default https://api.17track.net).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from crossdock.carriers.seventeen_track.spec import CHANNEL, DEFAULT_API, MAX_NUMBERS, REGISTER, TRACK
from crossdock.carriers.seventeen_track.wire import (
    NOT_REGISTERED,
    PATH,
    envelope,
    parse_register,
    parse_track,
)
from crossdock.core.errors import AuthError, ChannelError
from crossdock.tracking.ports import ParcelQuery, SourceContext
from crossdock.tracking.rules.parcel import Answer, Missing

if TYPE_CHECKING:
    import requests

    from crossdock.core.http import ChannelHttp

T = TypeVar("T")
REGISTERED_NOW = "not registered; registered now"


class SeventeenTrackSource:
    """One 17TRACK account (API key)."""

    name = CHANNEL
    max_batch = MAX_NUMBERS
    needs_registration = True

    def __init__(self, ctx: SourceContext) -> None:
        key = ctx.credentials.get("api_key")
        if not key:
            raise ValueError("17track credentials lack api_key")
        self.http = ctx.http
        self.url = ctx.endpoint("api", DEFAULT_API) + PATH
        self.headers = {"17token": str(key), "Content-Type": "application/json", "Accept": "application/json"}
        _share_bucket(self.http)

    def fetch(self, queries: Sequence[ParcelQuery]) -> dict[str, Answer]:
        carriers = {q.tracking_number: q.carrier for q in queries}
        numbers = list(carriers)
        answers: dict[str, Answer] = {}
        unregistered: list[str] = []
        for start in range(0, len(numbers), MAX_NUMBERS):
            batch = numbers[start : start + MAX_NUMBERS]
            try:
                found, rejected = self._post(TRACK, [{"number": n} for n in batch], parse_track)
            except AuthError:
                raise
            except ChannelError as exc:  # this call's numbers only; the other calls' answers stand
                answers.update((n, Missing("failed", str(exc))) for n in batch)
                continue
            for number in batch:
                if number in found:
                    answers[number] = found[number]
                elif number not in rejected:
                    answers[number] = Missing("empty", "left out of the answer")
                elif rejected[number][0] == NOT_REGISTERED:
                    unregistered.append(number)
                else:
                    code, message = rejected[number]
                    answers[number] = Missing("rejected", f"{code} {message}".strip())
        if unregistered:
            outcome = self.register([ParcelQuery(n, carriers[n]) for n in unregistered])
            for number in unregistered:
                reason = outcome.get(number)
                detail = (
                    REGISTERED_NOW if reason is None else f"not registered; registration refused: {reason}"
                )
                answers[number] = Missing("rejected", detail)
        return answers

    def register(self, queries: Sequence[ParcelQuery]) -> dict[str, str | None]:
        """number → None once registered (or already), else 17TRACK's "<code> <message>" or the
        call's fault. The carrier is left to 17TRACK's auto-detection; our carrier code is the tag."""
        unique = list({q.tracking_number: q for q in queries}.values())
        outcome: dict[str, str | None] = {}
        for start in range(0, len(unique), MAX_NUMBERS):
            batch = unique[start : start + MAX_NUMBERS]
            body = [{"number": q.tracking_number, "auto_detection": True, "tag": q.carrier} for q in batch]
            try:
                answered = self._post(REGISTER, body, parse_register)
            except AuthError:
                raise
            except ChannelError as exc:
                answered = {q.tracking_number: f"failed: {exc}" for q in batch}
            for q in batch:
                outcome[q.tracking_number] = answered.get(q.tracking_number, "left out of the answer")
        return outcome

    def _post(self, operation: str, body: list[dict[str, Any]], parse: Callable[[dict[str, Any]], T]) -> T:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        url = f"{self.url}/{operation}"

        def send(session: requests.Session, timeout: tuple[float, float]) -> requests.Response:
            return session.post(url, data=payload, headers=self.headers, timeout=timeout)

        return self.http.call(operation, send, lambda response: parse(envelope(response)))


def _share_bucket(http: ChannelHttp) -> None:
    """17TRACK counts every request of a key against one limit: let register pace with gettrackinfo."""
    if TRACK in http.buckets and REGISTER in http.buckets:
        http.buckets[REGISTER] = http.buckets[TRACK]
