"""The loopback HTTP server of FakeInstantly (``fake.serve()``): threads, real sockets."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import attrs

from instantly_columns.testing._fake_routes import Incoming, Reply

__all__: list[str] = []

DEFAULT_HOLD = 5.0  # seconds a "timeout" fault keeps the connection before closing it


@attrs.frozen
class Outcome:
    """The fake's decision for one request (internal, shared by every way in)."""

    reply: Reply | None
    failure: str | None = None  # "timeout" | "reset"
    after_apply: bool = False
    latency: float = 0.0
    seconds: float | None = None


Process = Callable[[Incoming], Outcome]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, process: Process) -> None:
        self.process = process
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle's algorithm on, the body waits for
    # the client's delayed ACK of the headers (about 40 ms on Linux) on every response.
    disable_nagle_algorithm = True
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length > 0 else None
        split = urlsplit(self.path)
        incoming = Incoming(
            method=self.command,
            path=split.path,
            query=tuple(parse_qsl(split.query, keep_blank_values=True)),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        outcome = self.server.process(incoming)
        if outcome.latency > 0:
            time.sleep(outcome.latency)
        if outcome.failure is not None or outcome.reply is None:
            if outcome.failure == "timeout":
                time.sleep(outcome.seconds if outcome.seconds is not None else DEFAULT_HOLD)
            self.close_connection = True
            return
        reply = outcome.reply
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log."""


class LoopbackServer:
    """Runs the fake on ``127.0.0.1`` on an ephemeral port, in a background thread."""

    def __init__(self, process: Process) -> None:
        self._server = _Server(process)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
