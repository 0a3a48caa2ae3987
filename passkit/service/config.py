"""One configuration for the registry, the web service and the command line.

Each setting comes from an argument or else from the environment:

    PASSKIT_DATABASE_URL      sqlite:///FILE (default sqlite:///passkit.db, in the working
                              directory) or postgresql+psycopg://USER:PASSWORD@HOST/NAME
    PASSKIT_WEB_SERVICE_URL   the public address of the web service, written into passes
                              (https; plain http only on a loopback address, for development)
    PASSKIT_SERVICE_SECRET    at least 32 characters, or kid:secret entries (the current key
                              first); the passes' authentication tokens are derived from it:
                              add keys, never remove one whose passes are still out
    PASSKIT_LAYOUTS           the folder of layouts (default: the shipped layouts)
    PASSKIT_APPLE_*, PASSKIT_GOOGLE_*   the signing credentials, as for `passkit build`
    PASSKIT_GOOGLE_CALLBACK_ROOT_KEYS   a file of Google's root signing keys (Google's key
                              format): the web service then takes Google's save and delete
                              callbacks at <web service URL>/google/callback
    PASSKIT_GOOGLE_API_URL    the Google Wallet REST API to apply changes through, instead of
                              Google's (https; plain http only on a loopback address); its
                              access tokens then come from /token on the same server

Every setting is checked when the configuration is made, so that a missing or malformed one
is one clear line at start-up, not an error at the first request. The secret is never shown.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from passkit.environment import (
    ENV_DATABASE_URL,
    ENV_GOOGLE_API_URL,
    ENV_GOOGLE_CALLBACK_ROOT_KEYS,
    ENV_LAYOUTS,
    ENV_SERVICE_SECRET,
    ENV_WEB_SERVICE_URL,
)
from passkit.errors import PasskitError
from passkit.web_service import https_or_loopback

if TYPE_CHECKING:
    from passkit.batch.build_plan import AppleCredentials, GoogleCredentials
    from passkit.service.auth import PassTokenKeys
    from passkit.service.registry import Registry

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
    from passkit.service.auth import PassTokenKeys
    from passkit.service.linktokens import MIN_SECRET_CHARS, LinkKeyringError, secrets_by_kid

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


@dataclass(frozen=True)
class ServiceConfig:
    """The settings of a pass service, checked (see the module)."""

    database_url: str = DEFAULT_DATABASE_URL
    web_service_url: str | None = None
    secret: PassTokenKeys | None = field(default=None, repr=False)
    layouts: Path | None = None
    apple: AppleCredentials | None = None
    google: GoogleCredentials | None = None
    google_callback_root_keys: Path | None = None
    # None: Google's own walletobjects API.
    google_api_url: str | None = None

    @classmethod
    def load(
        cls,
        *,
        database_url: str | None = None,
        web_service_url: str | None = None,
        secret: str | bytes | None = None,
        layouts: str | Path | None = None,
        apple: AppleCredentials | None = None,
        google: GoogleCredentials | None = None,
        google_api_url: str | None = None,
        environ: Mapping[str, str] | None = None,
        signing: bool = True,
    ) -> ServiceConfig:
        """The settings given, else those of the environment; ConfigError if one is wrong.

        With `signing` False the credentials are not read (for what only reads the registry).
        """
        from passkit.batch.build_plan import AppleCredentials, GoogleCredentials
        from passkit.service.database import database_url as as_url

        env = os.environ if environ is None else environ
        url = web_service_url or env.get(ENV_WEB_SERVICE_URL) or None
        given_secret = secret or env.get(ENV_SERVICE_SECRET) or None
        folder = layouts or env.get(ENV_LAYOUTS) or None
        if folder is not None and not Path(folder).is_dir():
            raise ConfigError(
                f"layouts folder {folder} does not exist ({ENV_LAYOUTS} or --layouts)"
            )
        if url is not None and given_secret is None:
            raise ConfigError(
                f"a web service needs a secret for its passes' tokens: set {ENV_SERVICE_SECRET}"
            )
        root_keys = env.get(ENV_GOOGLE_CALLBACK_ROOT_KEYS) or None
        if root_keys is not None and not Path(root_keys).is_file():
            raise ConfigError(
                f"{ENV_GOOGLE_CALLBACK_ROOT_KEYS}: {root_keys} is not a file (Google's root "
                "signing keys, as Google publishes them)"
            )
        api_url = google_api_url or env.get(ENV_GOOGLE_API_URL) or None
        return cls(
            google_callback_root_keys=Path(root_keys) if root_keys is not None else None,
            google_api_url=check_google_api_url(api_url) if api_url is not None else None,
            database_url=as_url(database_url or env.get(ENV_DATABASE_URL) or DEFAULT_DATABASE_URL),
            web_service_url=check_web_service_url(url) if url is not None else None,
            secret=check_secret(given_secret) if given_secret is not None else None,
            layouts=Path(folder) if folder is not None else None,
            apple=apple or (AppleCredentials.resolve(environ=env) if signing else None),
            google=google or (GoogleCredentials.resolve(environ=env) if signing else None),
        )

    def require_web_service(self) -> None:
        """ConfigError unless passes can be issued for updates (a URL and a secret)."""
        if self.web_service_url is None or self.secret is None:
            raise ConfigError(
                f"set {ENV_WEB_SERVICE_URL} (the public https address of the web service) and "
                f"{ENV_SERVICE_SECRET} (a random secret of at least 32 characters)"
            )

    def registry(self, *, push: bool | None = None) -> Registry:
        """The registry of these settings (`push` as for `Registry`)."""
        from passkit.service.registry import Registry

        return Registry(
            self.database_url,
            layouts=self.layouts,
            apple=self.apple.signer() if self.apple is not None else None,
            web_service_url=self.web_service_url,
            secret=self.secret,
            google=self.google,
            push=push,
            google_callback_root_keys=self.google_callback_root_keys,
            google_api_url=self.google_api_url,
        )
