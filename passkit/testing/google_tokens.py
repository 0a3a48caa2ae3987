"""The OAuth 2.0 token endpoint the Google stand-in plays, for the JWT-bearer grant.

The assertion must be an RS256 JWT signed by the key of an accepted service account, issued by
its `client_email`, for the endpoint (`aud`), with the wallet scope, at most an hour long and
not expired, on the stand-in's clock. Issued tokens are compared in constant time.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import jwt

from passkit.google.rest import JWT_BEARER_GRANT, SCOPE
from passkit.testing.google_api import Answer

if TYPE_CHECKING:
    from passkit.google.credentials import ServiceAccount

MAX_ASSERTION_LIFETIME = 3600
CLOCK_LEEWAY = 60


@dataclass(frozen=True)
class Assertion:
    """A JWT assertion the token endpoint accepted (its signature verified)."""

    header: dict[str, Any]
    claims: dict[str, Any]


def oauth_error(code: str, description: str) -> Answer:
    return 400, {"error": code, "error_description": description}


def token_form(raw: bytes) -> dict[str, list[str]] | Answer:
    """The form of a token request's body, or Google's answer when it is not one."""
    try:
        return parse_qs(raw.decode(), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return oauth_error("invalid_request", "the body is not a form")


def check_assertion(
    form: dict[str, list[str]], accounts: Sequence[ServiceAccount], audience: str, now: float
) -> Answer | None:
    """Why the token request is refused, as Google's OAuth answer; None when it is good."""
    if form.get("grant_type") != [JWT_BEARER_GRANT]:
        return oauth_error("unsupported_grant_type", f"grant_type must be {JWT_BEARER_GRANT}")
    assertion = form.get("assertion", [""])[0]
    try:
        issuer = jwt.decode(assertion, options={"verify_signature": False}).get("iss")
    except jwt.InvalidTokenError:
        return oauth_error("invalid_grant", "the assertion is not a JWT")
    account = next((a for a in accounts if a.client_email == issuer), None)
    if account is None:
        return oauth_error("invalid_grant", f"no service account {issuer!r} is known")
    try:
        # Times are checked below, on the stand-in's clock rather than this machine's.
        claims = jwt.decode(
            assertion,
            account.public_key(),
            algorithms=["RS256"],
            audience=audience,
            options={
                "require": ["iss", "aud", "iat", "exp"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.InvalidTokenError as exc:
        return oauth_error("invalid_grant", f"invalid JWT: {exc}")
    return _check_claims(claims, now)


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


def accepted_assertion(form: dict[str, list[str]]) -> Assertion:
    """The assertion of a form `check_assertion` found good."""
    assertion = form["assertion"][0]
    return Assertion(
        header=jwt.get_unverified_header(assertion),
        claims=jwt.decode(assertion, options={"verify_signature": False}),
    )


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
