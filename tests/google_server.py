"""A local HTTP server playing Google's OAuth token endpoint and the walletobjects API.

It keeps the classes and objects inserted, records every request, checks bearer tokens and the
signed JWT assertions of the token exchange, and fails on demand (`fail_next`, `failing_ids`,
`token_failure`, `delay`).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

from cryptography.hazmat.primitives import serialization
from google_support import make_account
from joserfc import jwt as jose_jwt
from joserfc.jwk import RSAKey

from passkit.google import ServiceAccount
from passkit.google.rest import JWT_BEARER_GRANT

API = "/walletobjects/v1"


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    authorization: str | None


@dataclass
class FakeGoogle:
    """State of the fake server: stored resources, requests seen, scripted failures."""

    account: ServiceAccount
    base: str = ""
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    assertions: list[Any] = field(default_factory=list)
    tokens_issued: int = 0
    token_lifetime: int = 3600
    fail_next: list[tuple[int, Any]] = field(default_factory=list)
    # Requests about a class or object whose id contains the key get this answer instead.
    failing_ids: dict[str, tuple[int, Any]] = field(default_factory=dict)
    token_failure: tuple[int, Any] | None = None
    delay: float = 0.0
    # API requests being answered now, and the most there have been at once.
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token_url(self) -> str:
        return f"{self.base}/token"

    @property
    def api_url(self) -> str:
        return f"{self.base}{API}"

    def valid_tokens(self) -> set[str]:
        return {f"token-{n}" for n in range(1, self.tokens_issued + 1)}


def make_handler(state: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    public_pem = state.account.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = RSAKey.import_key(public_pem)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self) -> bytes:
            return self.rfile.read(int(self.headers.get("Content-Length", 0)))

        def do_POST(self) -> None:
            self.handle_any("POST")

        def do_GET(self) -> None:
            self.handle_any("GET")

        def do_PATCH(self) -> None:
            self.handle_any("PATCH")

        def handle_any(self, method: str) -> None:
            with state.lock:
                state.in_flight += 1
                state.most_in_flight = max(state.most_in_flight, state.in_flight)
            try:
                self.answer(method)
            finally:
                with state.lock:
                    state.in_flight -= 1

        def answer(self, method: str) -> None:
            if state.delay:
                time.sleep(state.delay)
            raw = self.body()
            if self.path == "/token":
                self.token(raw)
                return
            body = json.loads(raw) if raw else None
            auth = self.headers.get("Authorization")
            state.requests.append(Recorded(method, self.path, body, auth))
            if state.fail_next:
                self.reply(*state.fail_next.pop(0))
                return
            about = (body or {}).get("id", "") if isinstance(body, dict) else ""
            about += " " + self.path
            failing = [answer for part, answer in state.failing_ids.items() if part in about]
            if failing:
                self.reply(*failing[0])
                return
            if auth is None or auth.removeprefix("Bearer ") not in state.valid_tokens():
                self.reply(401, {"error": {"code": 401, "message": "Invalid Credentials"}})
                return
            parts = [unquote(p) for p in self.path.removeprefix(API + "/").split("/")]
            self.api(method, parts, body)

        def token(self, raw: bytes) -> None:
            form = parse_qs(raw.decode())
            if state.token_failure is not None:
                self.reply(*state.token_failure)
                return
            assert form["grant_type"] == [JWT_BEARER_GRANT]
            token = jose_jwt.decode(form["assertion"][0], key, algorithms=["RS256"])
            state.assertions.append(token)
            state.tokens_issued += 1
            self.reply(
                200,
                {
                    "access_token": f"token-{state.tokens_issued}",
                    "expires_in": state.token_lifetime,
                    "token_type": "Bearer",
                },
            )

        def api(self, method: str, parts: list[str], body: Any) -> None:
            resource = parts[0]
            if method == "POST" and len(parts) == 1:
                if (resource, body["id"]) in state.resources:
                    self.reply(
                        409,
                        {
                            "error": {
                                "code": 409,
                                "message": f"Resource already exists: {body['id']}",
                                "status": "ALREADY_EXISTS",
                            }
                        },
                    )
                    return
                state.resources[(resource, body["id"])] = json.loads(json.dumps(body))
                self.reply(200, body)
                return
            stored = state.resources.get((resource, parts[1]))
            if stored is None:
                self.reply(
                    404,
                    {
                        "error": {
                            "code": 404,
                            "message": f"No resource with id {parts[1]}",
                            "status": "NOT_FOUND",
                        }
                    },
                )
                return
            if method == "GET":
                self.reply(200, stored)
            elif method == "PATCH":
                stored.update(body)
                self.reply(200, stored)
            elif parts[2:] == ["addMessage"]:
                stored.setdefault("messages", []).append(body["message"])
                self.reply(200, {"resource": stored})

    return Handler


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the timeout test) is not the server's failure


@contextmanager
def fake_google(account: ServiceAccount | None = None) -> Iterator[FakeGoogle]:
    """The server, running on a free local port while the block runs."""
    state = FakeGoogle(account=account or make_account())
    server = QuietServer(("127.0.0.1", 0), make_handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
