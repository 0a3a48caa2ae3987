"""The HTTP side of the Google stand-in: requests read with bounds and routed to its answers.

``POST /token`` goes to the stand-in's token endpoint (`google_tokens`), ``/walletobjects/v1/...``
to its API; what answers them is any `StandInAnswers`. Bodies above the stand-in's limit are
refused with 413 before they are read, a body without a length with 411; a slow client times
out.
"""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import unquote

from passkit.testing.google_api import Answer, error

API_PREFIX = "/walletobjects/v1/"
TOKEN_PATH = "/token"
SOCKET_TIMEOUT = 10.0


class StandInAnswers(Protocol):
    """What answers the requests the server reads (`GoogleStandIn`)."""

    @property
    def max_body_bytes(self) -> int: ...

    def counting(self) -> AbstractContextManager[None]:
        """Count an API request as in flight while the block runs."""
        ...

    def token_answer(self, raw: bytes) -> Answer: ...

    def api_answer(
        self, method: str, path: str, parts: list[str], raw: bytes, token: str | None
    ) -> Answer: ...


class StandInServer(ThreadingHTTPServer):
    """The stand-in's HTTP server on one address; `stand_in` answers what it reads."""

    daemon_threads = True

    def __init__(self, stand_in: StandInAnswers, host: str, port: int) -> None:
        self.stand_in = stand_in
        super().__init__((host, port), Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up mid-answer is not the stand-in's failure


class Handler(BaseHTTPRequestHandler):
    """One request to the stand-in (`server.stand_in` answers it)."""

    timeout = SOCKET_TIMEOUT
    protocol_version = "HTTP/1.1"
    server: StandInServer

    @property
    def stand_in(self) -> StandInAnswers:
        return self.server.stand_in

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the stand-in records requests itself; nothing goes to stderr

    def do_GET(self) -> None:
        self.handle_request("GET")

    def do_POST(self) -> None:
        self.handle_request("POST")

    def do_PATCH(self) -> None:
        self.handle_request("PATCH")

    def do_PUT(self) -> None:
        self.handle_request("PUT")

    def reply(self, answer: Answer) -> None:
        status, body = answer
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self, method: str) -> bytes | Answer:
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            if method in ("POST", "PATCH", "PUT") and self.headers.get("Transfer-Encoding"):
                self.close_connection = True
                return error(411, "a Content-Length is required")
            return b""
        if not length_text.isdigit():
            self.close_connection = True
            return error(400, "the Content-Length is not a number")
        length = int(length_text)
        if length > self.stand_in.max_body_bytes:
            self.close_connection = True  # the body is left unread
            return error(413, f"the body is more than {self.stand_in.max_body_bytes} bytes")
        return self.rfile.read(length)

    def handle_request(self, method: str) -> None:
        raw = self.read_body(method)
        if isinstance(raw, tuple):
            self.reply(raw)
            return
        path = self.path.split("?", 1)[0]
        if path == TOKEN_PATH and method == "POST":
            self.reply(self.stand_in.token_answer(raw))
        elif path.startswith(API_PREFIX):
            parts = [unquote(p) for p in path.removeprefix(API_PREFIX).split("/")]
            with self.stand_in.counting():
                answer = self.stand_in.api_answer(method, path, parts, raw, self.bearer())
            self.reply(answer)
        else:
            self.reply(error(404, f"Not found: {method} {path}"))

    def bearer(self) -> str | None:
        header = self.headers.get("Authorization", "")
        return header.removeprefix("Bearer ") if header.startswith("Bearer ") else None
