"""Lambda function URLs on loopback: what AWS gives a FunctionSpec with `url=True`.

Each function gets a threaded HTTP server on 127.0.0.1; a request becomes the function URL event
(payload 2.0, `events.function_url_event`), the runner invokes the handler, and its result becomes
the HTTP answer as Lambda's function URL does: a dict with `statusCode`/`headers`/`body`
(`isBase64Encoded`), or anything else as a 200 JSON body. A handler that raises answers 502, as a
function error does behind a function URL.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from crossdock_local.aws.events import function_url_event

if TYPE_CHECKING:
    from crossdock.core.specs import FunctionSpec

    from crossdock_local.aws.runner import LocalRunner


def http_answer(result: Any) -> tuple[int, dict[str, str], bytes]:
    """A handler's return value → (status, headers, body), as a function URL renders it."""
    if isinstance(result, dict) and "statusCode" in result:
        headers = {str(k): str(v) for k, v in (result.get("headers") or {}).items()}
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode("utf-8")
        return int(result["statusCode"]), headers, raw
    return 200, {"content-type": "application/json"}, json.dumps(result).encode("utf-8")


class FunctionUrl:
    """One function's URL: `url` once started; every request invokes it through `runner`."""

    def __init__(
        self,
        runner: LocalRunner,
        spec: FunctionSpec,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not spec.url:
            raise ValueError(f"{spec.name} has no function URL (FunctionSpec.url)")
        self.runner, self.spec, self.clock = runner, spec, clock
        self._server: ThreadingHTTPServer | None = None
        self.url = ""

    def start(self) -> FunctionUrl:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, raw = owner.handle(self.command, self.path, dict(self.headers.items()), body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self.url = f"http://127.0.0.1:{server.server_address[1]}/"
        threading.Thread(target=server.serve_forever, name=f"url-{self.spec.name}", daemon=True).start()
        return self

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(target)
        domain = f"{self.spec.name}.lambda-url.{self.runner.region}.on.aws"
        event = function_url_event(
            method=method,
            path=parts.path,
            query=parts.query,
            headers=headers,
            body=body,
            domain=domain,
            now=self.clock(),
        )
        try:
            result = self.runner.invoke(self.spec, event)
        except Exception:
            return 502, {"content-type": "application/json"}, b'{"Message":"Internal Server Error"}'
        return http_answer(result)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
