"""The REST client against a local HTTP server playing Google's token endpoint and
walletobjects API: token exchange, requests, errors, caching and timeouts."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import pytest
from cryptography.hazmat.primitives import serialization
from google_support import ISSUER_ID, NOW, make_account, sample_pass
from joserfc import jwt as jose_jwt
from joserfc.jwk import RSAKey

from passkit.errors import GoogleApiError
from passkit.google import ServiceAccount, WalletClient, compile_google, save_link
from passkit.google.rest import JWT_BEARER_GRANT, SCOPE
from passkit.model import Message

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
    token_failure: tuple[int, Any] | None = None
    delay: float = 0.0

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


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    state = FakeGoogle(account=make_account())
    server = QuietServer(("127.0.0.1", 0), make_handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def client_for(google: FakeGoogle, **kwargs: Any) -> WalletClient:
    return WalletClient(
        google.account, base_url=google.api_url, token_url=google.token_url, **kwargs
    )


def test_token_exchange_sends_a_signed_jwt_bearer_assertion(google: FakeGoogle) -> None:
    clock = Clock(NOW.timestamp())
    with client_for(google, clock=clock) as client:
        assert client.access_token() == "token-1"
    (token,) = google.assertions
    assert token.header == {"alg": "RS256", "kid": google.account.private_key_id, "typ": "JWT"}
    assert token.claims == {
        "iss": google.account.client_email,
        "scope": SCOPE,
        "aud": google.token_url,
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 3600,
    }


def test_token_url_defaults_to_the_accounts_token_uri(google: FakeGoogle) -> None:
    account = make_account(token_uri=google.token_url)
    google.account = account
    client = WalletClient(account, base_url=google.api_url)
    assert client.token_url == google.token_url


def test_insert_get_patch_message_and_expire(google: FakeGoogle) -> None:
    gp = compile_google(sample_pass("loyalty"), issuer_id=ISSUER_ID)
    with client_for(google) as client:
        assert client.insert_class(gp)["id"] == gp.class_id
        assert client.insert_object(gp)["id"] == gp.object_id
        assert client.get_object("loyalty", gp.object_id) == gp.object_json
        assert client.get_class("loyalty", gp.class_id)["programName"] == "Acme Rewards"
        patched = client.patch_object("loyalty", gp.object_id, {"accountName": "Bo"})
        assert patched["accountName"] == "Bo"
        client.add_message("loyalty", gp.object_id, Message(key="m2", header="Hi", body="News"))
        client.add_class_message("loyalty", gp.class_id, {"header": "All", "body": "Hello"})
        assert client.expire_object("loyalty", gp.object_id)["state"] == "EXPIRED"
    seen = [(r.method, r.path, r.body) for r in google.requests]
    object_path = f"{API}/loyaltyObject/{gp.object_id}"
    assert seen == [
        ("POST", f"{API}/loyaltyClass", gp.class_json),
        ("POST", f"{API}/loyaltyObject", gp.object_json),
        ("GET", object_path, None),
        ("GET", f"{API}/loyaltyClass/{gp.class_id}", None),
        ("PATCH", object_path, {"accountName": "Bo"}),
        (
            "POST",
            f"{object_path}/addMessage",
            {"message": {"id": "m2", "header": "Hi", "body": "News", "messageType": "TEXT"}},
        ),
        (
            "POST",
            f"{API}/loyaltyClass/{gp.class_id}/addMessage",
            {"message": {"header": "All", "body": "Hello"}},
        ),
        ("PATCH", object_path, {"state": "EXPIRED"}),
    ]
    assert {r.authorization for r in google.requests} == {"Bearer token-1"}
    stored = google.resources[("loyaltyObject", gp.object_id)]
    assert stored["messages"][-1]["body"] == "News"


def test_token_is_cached_until_shortly_before_it_expires(google: FakeGoogle) -> None:
    clock = Clock(NOW.timestamp())
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    with client_for(google, clock=clock) as client:
        client.upsert(gp)
        for _ in range(5):
            client.get_object("generic", gp.object_id)
        assert google.tokens_issued == 1
        clock.now += 3600 - 61
        client.get_object("generic", gp.object_id)
        assert google.tokens_issued == 1
        clock.now += 2  # within a minute of expiry: renewed before use
        client.get_object("generic", gp.object_id)
        assert google.tokens_issued == 2
    assert google.requests[-1].authorization == "Bearer token-2"


def test_upsert_patches_what_exists_and_a_skinny_link_points_at_it(google: FakeGoogle) -> None:
    back = [{"key": f"n{i}", "label": f"Note {i}", "value": "y" * 300} for i in range(8)]
    gp = compile_google(sample_pass("gift_card", back=back), issuer_id=ISSUER_ID)
    link = save_link(gp, google.account, now=NOW)
    assert link.skinny
    with client_for(google) as client:
        client.upsert(gp)
    with client_for(google) as client:
        client.upsert(gp)  # a new client: 409 on insert, then patch
        client.upsert(gp)  # the same client: the class is known, only the object is sent
    methods = [(r.method, r.path.split("/")[3]) for r in google.requests]
    assert methods == [
        ("POST", "giftCardClass"),
        ("POST", "giftCardObject"),
        ("POST", "giftCardClass"),
        ("PATCH", "giftCardClass"),
        ("POST", "giftCardObject"),
        ("PATCH", "giftCardObject"),
        ("POST", "giftCardObject"),
        ("PATCH", "giftCardObject"),
    ]
    assert ("giftCardObject", link.object_id) in google.resources
    assert ("giftCardClass", link.class_id) in google.resources


def test_4xx_answers_carry_status_and_googles_message(google: FakeGoogle) -> None:
    with client_for(google) as client:
        with pytest.raises(GoogleApiError) as caught:
            client.get_object("offer", f"{ISSUER_ID}.missing")
        assert caught.value.status == 404
        message = str(caught.value)
        assert f"GET offerObject/{ISSUER_ID}.missing" in message
        assert "HTTP 404 NOT_FOUND: No resource with id" in message
        assert "insert it first" in message
        google.fail_next.append(
            (
                400,
                {
                    "error": {
                        "code": 400,
                        "message": "Invalid resource field value in the request.",
                        "status": "INVALID_ARGUMENT",
                    }
                },
            )
        )
        with pytest.raises(GoogleApiError, match="HTTP 400 INVALID_ARGUMENT: Invalid resource"):
            client.patch_object("offer", f"{ISSUER_ID}.x", {"state": "EXPIRED"})
        google.fail_next.append((503, "backend unavailable"))
        with pytest.raises(GoogleApiError, match=r"HTTP 503.*retry later") as caught:
            client.get_class("offer", f"{ISSUER_ID}.x")
        assert caught.value.status == 503


def test_a_revoked_token_is_renewed_once(google: FakeGoogle) -> None:
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    with client_for(google) as client:
        client.upsert(gp)
        google.fail_next.append((401, {"error": {"code": 401, "message": "Token revoked"}}))
        assert client.get_object("generic", gp.object_id)["id"] == gp.object_id
        assert google.tokens_issued == 2
        google.fail_next.extend([(401, {"error": {"message": "nope"}})] * 2)
        with pytest.raises(GoogleApiError, match="HTTP 401: nope"):
            client.get_object("generic", gp.object_id)


def test_token_endpoint_refusal_is_explained(google: FakeGoogle) -> None:
    google.token_failure = (400, {"error": "invalid_grant", "error_description": "Invalid JWT"})
    with client_for(google) as client, pytest.raises(GoogleApiError) as caught:
        client.get_class("loyalty", f"{ISSUER_ID}.x")
    message = str(caught.value)
    assert google.account.client_email in message
    assert "HTTP 400: invalid_grant: Invalid JWT" in message
    assert caught.value.status == 400


def test_timeouts_and_unreachable_servers_are_clear(google: FakeGoogle) -> None:
    google.delay = 1.0
    with (
        client_for(google, timeout=0.2) as client,
        pytest.raises(GoogleApiError, match=r"timed out after 0\.2 s"),
    ):
        client.access_token()
    google.delay = 0.0
    unreachable = WalletClient(
        google.account, base_url="http://127.0.0.1:9/x", token_url="http://127.0.0.1:9/token"
    )
    with pytest.raises(GoogleApiError, match="cannot reach the server"):
        unreachable.access_token()


def test_unknown_kind_is_refused(google: FakeGoogle) -> None:
    from passkit.errors import WalletRuleError

    with client_for(google) as client, pytest.raises(WalletRuleError, match="'boarding'"):
        client.get_object("boarding", "1.x")


def test_pass_kind_names_are_accepted_too(google: FakeGoogle) -> None:
    gp = compile_google(sample_pass("gift_card"), issuer_id=ISSUER_ID)
    with client_for(google) as client:
        client.upsert(gp)
        assert client.get_object("gift_card", gp.object_id)["id"] == gp.object_id
        assert client.get_class("giftCard", gp.class_id)["id"] == gp.class_id
