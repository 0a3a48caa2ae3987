"""The checks of the pass service's settings, shared by `ServiceConfig` and `Registry`.

A web service URL Wallet may call, a Google API URL the service may send its credentials to
(both https, or plain http on a loopback address for development), and a service secret long
enough to derive the passes' tokens from. Each refusal is a `ConfigError` that names the
setting and what to set it to; the secret is never shown.
"""

from __future__ import annotations

from passkit.environment import ENV_GOOGLE_API_URL, ENV_SERVICE_SECRET, ENV_WEB_SERVICE_URL
from passkit.errors import PasskitError
from passkit.service.auth import PassTokenKeys
from passkit.service.linktokens import MIN_SECRET_CHARS, LinkKeyringError, secrets_by_kid
from passkit.web_service import https_or_loopback

DEFAULT_DATABASE_URL = "sqlite:///passkit.db"


class ConfigError(PasskitError):
    """A setting of the pass service is missing or malformed."""


def check_web_service_url(url: str) -> str:
    """`url` without its trailing slash, if Wallet may use it: https, or http on loopback."""
    if https_or_loopback(url):
        return url.rstrip("/")
    raise ConfigError(
        f"web service URL {url!r}: Wallet calls only https addresses (plain http is allowed "
        f"on 127.0.0.1, ::1 and localhost, for development); set {ENV_WEB_SERVICE_URL} or "
        "--web-service-url to the public https address the service is reached at"
    )


def check_google_api_url(url: str) -> str:
    """`url` without its trailing slash, if the service may send its Google credentials and
    changes there: https, or http on loopback (a local stand-in)."""
    if https_or_loopback(url):
        return url.rstrip("/")
    raise ConfigError(
        f"Google API URL {url!r}: the service sends its Google access tokens there, so it must "
        f"be https (plain http is allowed on 127.0.0.1, ::1 and localhost, for a local "
        f"stand-in); set {ENV_GOOGLE_API_URL} or --google-api-url to such an address, or unset "
        "it for Google's own API"
    )


def check_secret(secret: str | bytes) -> PassTokenKeys:
    """The keys of a service secret (one secret, or ``kid:secret`` entries, the current
    first), each of at least MIN_SECRET_CHARS characters; ConfigError if not."""
    text = secret.decode("utf-8") if isinstance(secret, bytes) else secret
    try:
        by_id, current = secrets_by_kid(text)
    except LinkKeyringError as exc:
        raise ConfigError(str(exc)) from None
    for key_id, value in by_id.items():
        if len(value) < MIN_SECRET_CHARS:
            raise ConfigError(
                f"{ENV_SERVICE_SECRET}: the secret of key id {key_id!r} is {len(value)} "
                f"characters long; use at least {MIN_SECRET_CHARS} random ones (e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
    return PassTokenKeys({key_id: value.encode() for key_id, value in by_id.items()}, current)
