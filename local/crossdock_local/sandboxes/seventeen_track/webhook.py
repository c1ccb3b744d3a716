"""17TRACK's webhook, as the sandbox sends it (push-contracts §4).

17TRACK keeps one webhook URL per account, saved in its dashboard ("Settings" → WebHook); when its
own polling finds a new event for a registered number, it POSTs
`{"event": "TRACKING_UPDATED", "data": {"number", "carrier", "param", "tag", "track_info"}}` to it,
with the header `sign` = lowercase hex SHA-256 of the raw body + "/" + the API key (CONFIRMED-3P).
`TRACKING_STOPPED` carries the number only. Retries are UNCONFIRMED: the sandbox sends once.

Here the dashboard setting is `sandbox.webhook.url` (or `POST /sandbox/webhook {"url": ...}`), and
`push_updates()` is 17TRACK's polling noticing new events: every registered number whose visible
scans grew since its last push is pushed, newest `track_info` in the gettrackinfo shape. Faults, for
the next pushes in turn (`fault_next`): FORGED (signed with another key), REPLAY (the same request
twice), STALE (after the push, an older one: its track_info before the newest scan), DROP (not sent).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import requests

from crossdock_local.sandboxes.parcels import EMPTY, ENVELOPE, NOT_FOUND

if TYPE_CHECKING:
    from crossdock_local.sandboxes.parcels import Scan
    from crossdock_local.sandboxes.seventeen_track.server import SeventeenTrackSandbox

UPDATED = "TRACKING_UPDATED"
STOPPED = "TRACKING_STOPPED"
FORGED, REPLAY, STALE, DROP = "forged", "replay", "stale", "drop"
FAULTS = (FORGED, REPLAY, STALE, DROP)
TIMEOUT_S = 10.0


def sign(body: bytes, api_key: str) -> str:
    """As the third-party handlers document it: sha256(raw_body.decode() + "/" + key).hexdigest()."""
    return hashlib.sha256((body.decode("utf-8") + "/" + api_key).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Delivery:
    event: str
    number: str
    body: bytes
    sign: str
    fault: str | None = (
        None  # the fault this request carries (FORGED, REPLAY's second send, STALE's older one)
    )
    status: int | None = None  # the receiver's HTTP status; None: not sent (DROP) or unreachable
    answer: str = ""


class Webhook:
    def __init__(self, sandbox: SeventeenTrackSandbox) -> None:
        self.sandbox = sandbox
        self.url: str | None = None  # the dashboard's WebHook URL; None: pushes are off
        self.deliveries: list[Delivery] = []
        self._pushed: dict[str, int] = {}  # number → how many scans its last push showed
        self._faults: dict[str | None, list[str]] = {}  # number (None: any) → faults of its next pushes
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def fault_next(self, *faults: str, number: str | None = None) -> None:
        """The next pushes (one fault each, in order) are sent with these faults: of `number` only,
        or of any number."""
        unknown = [f for f in faults if f not in FAULTS]
        if unknown:
            raise ValueError(f"unknown webhook fault(s) {unknown}; known: {FAULTS}")
        with self._lock:
            self._faults.setdefault(number, []).extend(faults)

    def _next_fault(self, number: str) -> str | None:
        for queue in (self._faults.get(number), self._faults.get(None)):
            if queue:
                return queue.pop(0)
        return None

    # -- what 17TRACK sends -----------------------------------------------------------------------
    def push_updates(self) -> list[Delivery]:
        """Push every registered number with scans newer than its last push; the deliveries made."""
        made: list[Delivery] = []
        if not self.url:
            return made
        for number in sorted(self.sandbox.registered):
            scans = self.sandbox.world.visible(number, source=self.sandbox.name)
            if not scans or self.sandbox.world.mode(self.sandbox.name, number) in (
                EMPTY,
                NOT_FOUND,
                ENVELOPE,
            ):
                continue
            with self._lock:
                if len(scans) <= self._pushed.get(number, 0):
                    continue
                self._pushed[number] = len(scans)
                fault = self._next_fault(number)
            made += self._push_update(number, scans, fault)
        return made

    def send_stopped(self, number: str) -> Delivery:
        """17TRACK stopped tracking the number (stoptrack, or its own limits)."""
        key, _ = self.sandbox.carrier_of(number)
        data = {"number": number, "carrier": key, "param": None, "tag": self.sandbox.tags.get(number, "")}
        return self.send(STOPPED, number, data)

    def send(self, event: str, number: str, data: dict[str, Any], *, fault: str | None = None) -> Delivery:
        """One POST of `{"event", "data"}`, signed (with another key for FORGED)."""
        body = json.dumps({"event": event, "data": data}, ensure_ascii=False).encode("utf-8")
        key = self.sandbox.api_key if fault != FORGED else self.sandbox.api_key + "-not-this-one"
        return self._post(Delivery(event, number, body, sign(body, key), fault))

    def _push_update(self, number: str, scans: list[Scan], fault: str | None) -> list[Delivery]:
        if fault == DROP:
            dropped = Delivery(UPDATED, number, self._updated(number, scans), "", DROP)
            self._record(dropped)
            return [dropped]
        first = self.send(
            UPDATED, number, self._data(number, scans), fault=FORGED if fault == FORGED else None
        )
        if fault == REPLAY:
            return [first, self._post(Delivery(UPDATED, number, first.body, first.sign, REPLAY))]
        if fault == STALE and len(scans) > 1:
            return [first, self.send(UPDATED, number, self._data(number, scans[:-1]), fault=STALE)]
        return [first]

    def _data(self, number: str, scans: list[Scan]) -> dict[str, Any]:
        key, name = self.sandbox.carrier_of(number)
        return {
            "number": number,
            "carrier": key,
            "param": None,
            "tag": self.sandbox.tags.get(number, ""),
            "track_info": self.sandbox.track_info_of(number, key, name, scans),
        }

    def _updated(self, number: str, scans: list[Scan]) -> bytes:
        return json.dumps({"event": UPDATED, "data": self._data(number, scans)}, ensure_ascii=False).encode()

    def _post(self, delivery: Delivery) -> Delivery:
        headers = {"Content-Type": "application/json", "sign": delivery.sign}
        try:
            response = requests.post(str(self.url), data=delivery.body, headers=headers, timeout=TIMEOUT_S)
            sent = _answered(delivery, response.status_code, response.content)
        except requests.RequestException as exc:
            sent = _answered(delivery, None, str(exc).encode())
        self._record(sent)
        return sent

    def _record(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)
            self.sandbox.stats[f"webhook:{delivery.event}:{delivery.status or 'unsent'}"] += 1

    # -- in the background (the demo) ------------------------------------------------------------
    def start(self, every_s: float) -> None:
        """Push new events every `every_s` seconds until `stop()` (17TRACK's own polling cadence)."""
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(every_s):
                self.push_updates()

        self._thread = threading.Thread(target=loop, name="17track-webhook", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=TIMEOUT_S)
            self._thread = None


def _answered(delivery: Delivery, status: int | None, answer: bytes) -> Delivery:
    return replace(delivery, status=status, answer=answer.decode("utf-8", "replace")[:500])
