"""What a build needs, as plain picklable data: the layout's path and the credentials' bytes.

Signers hold loaded keys, which cannot be sent to another process. A `BuildPlan` holds only
paths, bytes and strings, so the same plan can be handed to worker processes, or to a task of
Celery, Dask, Ray or Spark, and each worker prepares its layout and signers once from it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from passkit.environment import (
    ENV_CERT,
    ENV_ISSUER_ID,
    ENV_KEY,
    ENV_KEY_PASSWORD,
    ENV_P12,
    ENV_P12_PASSWORD,
    ENV_SERVICE_ACCOUNT,
    ENV_WWDR,
)
from passkit.errors import SigningError
from passkit.secret_source import read_secret_file

if TYPE_CHECKING:
    from passkit.apple.credentials import Credential
    from passkit.apple.signing import AppleSigner
    from passkit.google import ServiceAccount

APPLE_ENV = {
    "certificate": ENV_CERT,
    "key": ENV_KEY,
    "key_password": ENV_KEY_PASSWORD,
    "wwdr": ENV_WWDR,
    "p12": ENV_P12,
    "p12_password": ENV_P12_PASSWORD,
}
GOOGLE_ENV = {"service_account": ENV_SERVICE_ACCOUNT, "issuer_id": ENV_ISSUER_ID}
# The command-line options giving the same values, to name them in messages.
APPLE_OPTIONS = {
    "certificate": "--apple-cert",
    "key": "--apple-key",
    "wwdr": "--wwdr",
    "p12": "--apple-p12",
}


def _read_text(value: str, origin: str) -> bytes:
    """A service account key given as inline JSON text or as the path of a file holding it."""
    if value.lstrip().startswith("{"):
        return value.encode()
    return read_secret_file(value, origin, "service account key", "JSON text ({...})")[0]


def _read_apple(value: str, what: str, origin: str) -> Credential:
    # Read now, named by its file: the plan must carry the bytes to other processes, and the
    # signer's messages must still say which file is wrong.
    from passkit.apple.credentials import read_credential

    return read_credential(value, what, origin)


@dataclass(frozen=True)
class AppleCredentials:
    """The files an AppleSigner is made from (PEM certificate and key, or a PKCS#12 file),
    read into named bytes."""

    certificate: Credential | None = None
    key: Credential | None = None
    key_password: str | None = field(default=None, repr=False)
    wwdr: Credential | None = None
    p12: Credential | None = None
    p12_password: str | None = field(default=None, repr=False)

    @classmethod
    def resolve(
        cls,
        *,
        certificate: str | None = None,
        key: str | None = None,
        key_password: str | None = None,
        wwdr: str | None = None,
        p12: str | None = None,
        p12_password: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> AppleCredentials | None:
        """Credentials from explicit values, falling back to PASSKIT_APPLE_* variables.

        Returns None when Apple signing is not configured at all.
        """
        env = os.environ if environ is None else environ
        given = {
            "certificate": certificate,
            "key": key,
            "key_password": key_password,
            "wwdr": wwdr,
            "p12": p12,
            "p12_password": p12_password,
        }
        values = {name: value or env.get(APPLE_ENV[name]) or None for name, value in given.items()}

        def read(name: str, what: str) -> Credential | None:
            value = values[name]
            if value is None:
                return None
            origin = APPLE_OPTIONS[name] if given[name] else APPLE_ENV[name]
            return _read_apple(value, what, origin)

        if values["p12"]:
            return cls(
                p12=read("p12", "PKCS#12"),
                p12_password=values["p12_password"],
                wwdr=read("wwdr", "WWDR certificate"),
            )
        if not values["certificate"] and not values["key"]:
            return None
        if not values["certificate"] or not values["key"]:
            missing = "certificate (--apple-cert or PASSKIT_APPLE_CERT)"
            if values["certificate"]:
                missing = "private key (--apple-key or PASSKIT_APPLE_KEY)"
            raise SigningError(
                f"Apple signing needs both a certificate and a key; the {missing} is missing"
            )
        return cls(
            certificate=read("certificate", "certificate"),
            key=read("key", "key"),
            key_password=values["key_password"],
            wwdr=read("wwdr", "WWDR certificate"),
        )

    def signer(self) -> AppleSigner:
        from passkit.apple.signing import AppleSigner

        if self.p12 is not None:
            return AppleSigner.from_pkcs12(self.p12, password=self.p12_password, wwdr=self.wwdr)
        assert self.certificate is not None and self.key is not None
        return AppleSigner.from_pem(
            self.certificate, self.key, key_password=self.key_password, wwdr=self.wwdr
        )


@dataclass(frozen=True)
class GoogleCredentials:
    """A service-account key (its JSON text) and the issuer id that Google gave the account."""

    service_account_json: str = field(repr=False)
    issuer_id: str
    origins: tuple[str, ...] = ()
    # Where the key came from (a path or "PASSKIT_GOOGLE_SERVICE_ACCOUNT"), for messages.
    source: str = "the Google service account"

    @classmethod
    def resolve(
        cls,
        *,
        service_account: str | None = None,
        issuer_id: str | None = None,
        origins: tuple[str, ...] = (),
        environ: Mapping[str, str] | None = None,
    ) -> GoogleCredentials | None:
        """Credentials from explicit values, falling back to PASSKIT_GOOGLE_* variables."""
        env = os.environ if environ is None else environ
        account = service_account or env.get(GOOGLE_ENV["service_account"]) or None
        issuer = issuer_id or env.get(GOOGLE_ENV["issuer_id"]) or None
        if not account and not issuer:
            return None
        if not account:
            raise SigningError(
                "Google Wallet needs a service account key: give --google-service-account "
                f"or set {ENV_SERVICE_ACCOUNT}"
            )
        if not issuer:
            raise SigningError(
                "Google Wallet needs the issuer id from the Google Pay & Wallet console: give "
                f"--google-issuer-id or set {ENV_ISSUER_ID}"
            )
        origin = "--google-service-account" if service_account else ENV_SERVICE_ACCOUNT
        text = _read_text(account, origin).decode("utf-8", "replace")
        inline = account.lstrip().startswith("{")
        source = "the service account JSON given inline" if inline else account
        return cls(service_account_json=text, issuer_id=issuer, origins=origins, source=source)

    def account(self) -> ServiceAccount:
        from passkit.google import ServiceAccount

        return ServiceAccount.from_json(self.service_account_json, source=self.source)


@dataclass(frozen=True)
class BuildPlan:
    """Everything a worker needs to build passes of one layout, as picklable data."""

    layout: Path
    apple: AppleCredentials | None = None
    google: GoogleCredentials | None = None
    # A fixed clock makes output reproducible; None means the time of each build.
    now: datetime | None = None
    # Output directory when workers write files themselves; None means results carry bytes.
    out_dir: Path | None = None
    skip_existing: bool = False
    # The Google Wallet REST API to insert each pass's class and object through, its save link
    # then carrying only their ids; None leaves the links carrying the whole pass.
    google_insert_url: str | None = None
    # Where access tokens for that API come from; None: the service account's token_uri.
    google_token_url: str | None = None
    # Set by `build_many` for each batch written to `out_dir`: the batch's claims of serial
    # numbers (see passkit.batch.claims) are shared through it by every worker.
    batch_id: str | None = None
