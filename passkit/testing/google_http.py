"""The HTTP side of the Google stand-in: requests read with bounds, tokens, scripted answers.

``POST /token`` plays Google's OAuth 2.0 token endpoint for the JWT-bearer grant: the
assertion must be an RS256 JWT signed by the key of an accepted service account, issued by its
`client_email`, for this endpoint (`aud`), with the wallet scope, at most an hour long and not
expired. ``/walletobjects/v1/...`` needs one of the tokens issued (compared in constant time)
and is answered by `WalletObjects`. Bodies above the stand-in's limit are refused with 413
before they are read, a body without a length with 411; a slow client times out.
"""

from __future__ import annotations

import hmac
import json
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

import jwt

from passkit.google.rest import JWT_BEARER_GRANT, SCOPE
from passkit.testing.google_api import Answer, error

if TYPE_CHECKING:
    from passkit.testing.google import GoogleStandIn

API_PREFIX = "/walletobjects/v1/"
TOKEN_PATH = "/token"
MAX_ASSERTION_LIFETIME = 3600
CLOCK_LEEWAY = 60
SOCKET_TIMEOUT = 10.0


@dataclass(frozen=True)
class Assertion:
    """A JWT assertion the token endpoint accepted (its signature verified)."""

    header: dict[str, Any]
    claims: dict[str, Any]


def oauth_error(code: str, description: str) -> Answer:
    return 400, {"error": code, "error_description": description}


def check_assertion(stand_in: GoogleStandIn, form: dict[str, list[str]]) -> Answer | None:
    """Why the token request is refused, as Google's OAuth answer; None when it is good."""
    if form.get("grant_type") != [JWT_BEARER_GRANT]:
        return oauth_error("unsupported_grant_type", f"grant_type must be {JWT_BEARER_GRANT}")
    assertion = form.get("assertion", [""])[0]
    try:
        issuer = jwt.decode(assertion, options={"verify_signature": False}).get("iss")
    except jwt.InvalidTokenError:
        return oauth_error("invalid_grant", "the assertion is not a JWT")
    account = next((a for a in stand_in.accounts if a.client_email == issuer), None)
    if account is None:
        return oauth_error("invalid_grant", f"no service account {issuer!r} is known")
    try:
        # Times are checked below, on the stand-in's clock rather than this machine's.
        claims = jwt.decode(
            assertion,
            account.public_key(),
            algorithms=["RS256"],
            audience=stand_in.token_url,
            options={
                "require": ["iss", "aud", "iat", "exp"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidTokenError as exc:
        return oauth_error("invalid_grant", f"invalid JWT: {exc}")
    return _check_claims(claims, stand_in.now.timestamp())


def _check_claims(claims: dict[str, Any], now: float) -> Answer | None:
    issued, expires = claims["iat"], claims["exp"]
    if not all(isinstance(t, int | float) for t in (issued, expires)):
        return oauth_error("invalid_grant", "iat and exp must be numbers")
    if SCOPE not in str(claims.get("scope", "")).split():
        return oauth_error("invalid_scope", f"the assertion does not ask for {SCOPE}")
    if expires - issued > MAX_ASSERTION_LIFETIME:
        return oauth_error("invalid_grant", "the assertion is valid for more than an hour")
    if now > expires + CLOCK_LEEWAY:
        return oauth_error("invalid_grant", "the assertion has expired")
    if issued > now + CLOCK_LEEWAY:
        return oauth_error("invalid_grant", "the assertion is issued in the future")
    return None


class Handler(BaseHTTPRequestHandler):
    """One request to the stand-in (`server.stand_in` holds the state)."""

    timeout = SOCKET_TIMEOUT
    protocol_version = "HTTP/1.1"

    @property
    def stand_in(self) -> GoogleStandIn:
        stand_in: GoogleStandIn = self.server.stand_in  # type: ignore[attr-defined]
        return stand_in

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
            self.reply(self.token(raw))
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

    def token(self, raw: bytes) -> Answer:
        stand_in = self.stand_in
        if stand_in.delay:
            time.sleep(stand_in.delay)
        scripted = stand_in.scripted_token_answer()
        if scripted is not None:
            return scripted
        try:
            form = parse_qs(raw.decode(), max_num_fields=10)
        except (UnicodeDecodeError, ValueError):
            return oauth_error("invalid_request", "the body is not a form")
        refused = check_assertion(stand_in, form)
        if refused is not None:
            stand_in.token_refusals.append(refused[1]["error_description"])
            return refused
        assertion = form["assertion"][0]
        stand_in.assertions.append(
            Assertion(
                header=jwt.get_unverified_header(assertion),
                claims=jwt.decode(assertion, options={"verify_signature": False}),
            )
        )
        token = stand_in.issue_token()
        return 200, {
            "access_token": token,
            "expires_in": stand_in.token_lifetime,
            "token_type": "Bearer",
        }


def token_number(
    tokens: dict[str, tuple[int, float]], presented: str | None, now: float
) -> int | None:
    """The number of the unexpired issued token `presented` is (each compared in constant
    time), or None."""
    if presented is None:
        return None
    found = None
    for token, (number, expires) in tokens.items():
        if hmac.compare_digest(token.encode(), presented.encode()) and now < expires:
            found = number
    return found
