"""The HTTP server, routing, fault injection and rate limiting every sandbox shares.

A sandbox binds to 127.0.0.1 on a free port and serves in a background thread. Each request goes
through: rate limiter (the channel's documented bucket, scaled by `rate_scale`) → fault profile →
the channel's handler. Everything is counted in `stats` so tests and the demo can report it.
"""

from __future__ import annotations

import json
import random
import re
import socket
import struct
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from crossdock_local.sandboxes.buckets import Bucket, Rate


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]  # single-valued view (first value)
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}

    def params(self) -> dict[str, str]:
        """Query and form parameters together (TOP and 1688 accept either)."""
        merged = dict(self.query)
        if self.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            merged.update(self.form())
        return merged


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list → JSON; str/bytes sent as is
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "application/octet-stream")
        if isinstance(self.body, str):
            return self.body.encode("utf-8"), self.headers.get("Content-Type", "text/html; charset=utf-8")
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8"


@dataclass
class SandboxShop:
    """What crossdock must store for a shop registered in a sandbox."""

    credentials: dict[str, Any]  # the Secrets Manager JSON
    options: dict[str, Any]  # non-secret channel settings (marketplace ids, API version, ...)
    endpoints: dict[str, str]  # endpoint overrides pointing at the sandbox


class Drop(Exception):
    """Raised by a handler or the fault profile: close the connection without answering (a reset)."""


@dataclass
class FaultProfile:
    """Probabilities per request. `silent_empty` and `error_envelope` are rendered by each channel
    in its own shape (a 200 that lacks the data); the others are generic."""

    name: str = "none"
    server_error: float = 0.0
    reset: float = 0.0
    slow: float = 0.0  # answer after `slow_s`, past the client's read timeout
    slow_s: float = 1.5
    html: float = 0.0
    silent_empty: float = 0.0
    error_envelope: float = 0.0
    seed: int = 7

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.lock = threading.Lock()

    def draw(self) -> str | None:
        """Which fault, if any, this request meets."""
        with self.lock:
            roll = self.rng.random()
        for kind in ("server_error", "reset", "slow", "html", "silent_empty", "error_envelope"):
            p = getattr(self, kind)
            if roll < p:
                return kind
            roll -= p
        return None


PROFILES: dict[str, dict[str, float]] = {
    "none": {},
    "realistic": {  # ~1.5 % of calls: below the breaker's 5 %, so only a real outage trips it
        "server_error": 0.006,
        "reset": 0.003,
        "html": 0.002,
        "silent_empty": 0.003,
        "error_envelope": 0.001,
    },
    "hostile": {
        "server_error": 0.08,
        "reset": 0.04,
        "slow": 0.02,
        "html": 0.03,
        "silent_empty": 0.05,
        "error_envelope": 0.03,
    },
}


def fault_profile(name: str, seed: int = 7) -> FaultProfile:
    if name not in PROFILES:
        raise ValueError(f"unknown fault profile {name!r}; known: {', '.join(PROFILES)}")
    return FaultProfile(name=name, seed=seed, **PROFILES[name])


Handler = Callable[[Request, "re.Match[str]"], Reply]


@dataclass
class Route:
    method: str
    pattern: re.Pattern[str]
    operation: str
    handler: Handler


GRACE_S = 0.25


class ServerRateLimiter:
    """Server-side buckets per (caller, operation); answers how long the caller must wait, or 0.

    `grace_s`: how much earlier than its bucket allows a request may arrive and still pass. A client
    that paces itself exactly sends on time, but on a loaded machine one request can be delayed and
    the next not, so two arrive closer than the rate: without grace the sandbox would throttle a
    client for the machine's jitter, not for its pacing. A client faster than the rate still runs
    into the limit after at most grace × rate extra calls."""

    def __init__(self, rates: dict[str, Rate], scale: float, *, grace_s: float = GRACE_S) -> None:
        # A rate is read as its two numbers, whoever wrote it down (a test may pass a client's rates).
        self._rates = {op: Rate(r.per_second * scale, r.burst) for op, r in rates.items()}
        self._buckets: dict[tuple[str, str], Bucket] = {}
        self._lock = threading.Lock()
        self.grace_s = grace_s

    def take(self, caller: str, operation: str, cost: float = 1.0) -> float:
        rate = self._rates.get(operation)
        if rate is None:
            return 0.0
        with self._lock:
            bucket = self._buckets.setdefault((caller, operation), Bucket(rate, clock=time.monotonic))
            if bucket.tokens + min(self.grace_s * rate.per_second, cost) >= cost:
                bucket.spend(cost)
                return 0.0
            return (cost - bucket.tokens) / bucket.rate.per_second

    def available(self, caller: str, operation: str) -> tuple[float, Rate] | None:
        rate = self._rates.get(operation)
        if rate is None:
            return None
        with self._lock:
            bucket = self._buckets.setdefault((caller, operation), Bucket(rate, clock=time.monotonic))
            return bucket.tokens, rate


class Sandbox(ABC):
    """Base class: subclasses register routes in `routes()` and render faults in their own shape."""

    name = "sandbox"

    def __init__(self, *, faults: FaultProfile | None = None, rate_scale: float = 1.0) -> None:
        self.faults = faults or FaultProfile()
        self.rate_scale = rate_scale
        self.stats: Counter[str] = Counter()
        self.log: list[Request] = []
        self.keep_log = False
        self._routes = self.routes()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- to implement ---------------------------------------------------------------------------
    @abstractmethod
    def routes(self) -> list[Route]:
        """Every route this sandbox serves."""

    def render_fault(self, kind: str, request: Request, route: Route) -> Reply:
        """A channel-shaped answer for `silent_empty` / `error_envelope`; default: a bare 200 {}."""
        return Reply(200, {})

    def throttled(self, request: Request, route: Route, wait_s: float) -> Reply:
        return Reply(429, {"error": "throttled"}, {"Retry-After": f"{max(wait_s, 0.001):.3f}"})

    def caller(self, request: Request) -> str:
        """Whose bucket a request draws from (override: token, app key, shop)."""
        return "anonymous"

    def order_id(self, shop_id: str, book_id: str) -> str:
        """The id under which a book order appears on this channel (default: the book's own id)."""
        return book_id

    def rate_cost(self, request: Request, route: Route) -> float:
        return 1.0

    # -- serving --------------------------------------------------------------------------------
    def dispatch(self, request: Request) -> Reply:
        for route in self._routes:
            if route.method != request.method:
                continue
            match = route.pattern.fullmatch(request.path)
            if match is None:
                continue
            with self._lock:
                self.stats[f"calls:{route.operation}"] += 1
                if self.keep_log:
                    self.log.append(request)
            wait = self.limiter_wait(request, route)
            if wait > 0:
                with self._lock:
                    self.stats["faults:throttled"] += 1
                return self.throttled(request, route, wait)
            fault = self.faults.draw()
            if fault:
                with self._lock:
                    self.stats[f"faults:{fault}"] += 1
                if fault == "server_error":
                    return Reply(503, "<html><body><h1>503 Service Unavailable</h1></body></html>")
                if fault == "reset":
                    raise Drop()
                if fault == "slow":
                    time.sleep(self.faults.slow_s)
                elif fault == "html":
                    return Reply(200, "<!DOCTYPE html><html><body>Gateway maintenance</body></html>")
                else:
                    return self.render_fault(fault, request, route)
            return route.handler(request, match)
        return Reply(404, {"error": f"no route for {request.method} {request.path}"})

    def limiter_wait(self, request: Request, route: Route) -> float:
        """Override when the channel's limiter is not a plain per-operation bucket."""
        return 0.0

    def start(self) -> Sandbox:
        sandbox = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as two writes: avoid a 40 ms stall

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _serve(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    method=self.command,
                    path=split.path,
                    query={k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                try:
                    reply = sandbox.dispatch(request)
                except Drop:
                    # RST instead of FIN: the client sees "connection reset by peer".
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    return
                payload, content_type = reply.encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.pop("Content-Type", content_type))
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        server = _QuietServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.05), name=f"{self.name}-sandbox", daemon=True
        )
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        assert self._server is not None, "sandbox not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _QuietServer(ThreadingHTTPServer):
    """A client that gave up (timeout, reset) is part of the fault profile, not a server error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def route(method: str, pattern: str, operation: str, handler: Handler) -> Route:
    return Route(method, re.compile(pattern), operation, handler)
