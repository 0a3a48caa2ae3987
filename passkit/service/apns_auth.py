"""How passkit proves to APNs that it may push to a pass type: the certificate, or a token key.

Apple documents two ways, and both work for Wallet passes:

- `CertificateAuth`: the pass type certificate and key that sign the passes, presented as the
  TLS client certificate. It is the default: every issuer already has it, and it allows pushes
  to its own pass type (its UID) and to no other.
- `TokenAuth`: a token signing key (`.p8`, EC P-256) with its key id and the team id. Each
  request carries `authorization: bearer <JWT>`, an ES256 JWT with `iss` = team id, `iat` and
  the header `kid`. APNs refuses a token older than an hour and one renewed more often than
  every twenty minutes, so one token is kept and renewed after fifty minutes. It works where
  the key's team owns the pass type id.

`ssl_context` builds the TLS settings for either, trusting the public CAs (for Apple) or the CA
file given for a test server.
"""

from __future__ import annotations

import os
import secrets
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import certifi
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from passkit.apple.credentials import read_credential
from passkit.apple.signing import AppleSigner
from passkit.environment import ENV_APNS_KEY_FILE, ENV_APNS_KEY_ID, ENV_APNS_TEAM_ID
from passkit.errors import SigningError
from passkit.keys import load_private_key

# APNs accepts a token for an hour and refuses one renewed within twenty minutes of the last.
TOKEN_LIFETIME = 50 * 60.0


@dataclass(frozen=True)
class CertificateAuth:
    """Push with the pass type certificate as TLS client certificate: `from_signer(signer)`."""

    topic: str
    identity_pem: bytes = field(repr=False)
    password: bytes = field(repr=False)

    @classmethod
    def from_signer(cls, signer: AppleSigner) -> CertificateAuth:
        """The identity of the signer's pass type (its certificate's UID is the topic)."""
        password = secrets.token_bytes(32)
        return cls(signer.pass_type_id, signer.client_identity_pem(password), password)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> CertificateAuth:
        """From the PASSKIT_APPLE_* variables the signer reads."""
        return cls.from_signer(AppleSigner.from_env(environ))

    def load_into(self, context: ssl.SSLContext) -> None:
        """Give `context` this identity.

        Python's ssl module reads a client certificate from files only: the PEM goes to a
        private temporary file (its key encrypted with a one-time password) that is removed
        as soon as it is read.
        """
        handle, name = tempfile.mkstemp(prefix="passkit-apns-", suffix=".pem")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(self.identity_pem)
            context.load_cert_chain(name, password=self.password)
        finally:
            Path(name).unlink(missing_ok=True)


class TokenAuth:
    """Push with a token signing key: `authorization: bearer <ES256 JWT>`, renewed before APNs
    stops accepting it. Safe to share between threads and event loops."""

    def __init__(
        self,
        key: ec.EllipticCurvePrivateKey,
        *,
        key_id: str,
        team_id: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(key.curve, ec.SECP256R1):
            raise SigningError(
                f"the APNs token key {key_id} is on curve {key.curve.name}; APNs keys are"
                " EC P-256 (.p8 files from Certificates, Identifiers & Profiles > Keys)"
            )
        for label, value in (("key id", key_id), ("team id", team_id)):
            if not value or not value.isalnum():
                raise SigningError(
                    f"the APNs {label} {value!r} is not a 10-character identifier: copy it"
                    " from the Apple Developer portal (Keys for the key id, Membership for"
                    " the team id)"
                )
        self.key_id = key_id
        self.team_id = team_id
        self._key = key
        self._clock = clock
        self._lock = threading.Lock()
        self._token: tuple[str, float] | None = None

    @classmethod
    def from_p8(cls, key: str | Path | bytes, *, key_id: str, team_id: str) -> TokenAuth:
        """From a `.p8` file (its path or its bytes, PEM PKCS#8 as Apple gives it)."""
        loaded = read_credential(key, "APNs token key")
        try:
            private = load_private_key(loaded.data, None)
        except (ValueError, TypeError):
            raise SigningError(
                f"{loaded.name} is not a readable .p8 key: download the key again from"
                " Certificates, Identifiers & Profiles > Keys (it is offered only once)"
            ) from None
        if not isinstance(private, ec.EllipticCurvePrivateKey):
            raise SigningError(f"{loaded.name} is not an EC key: APNs token keys are EC P-256")
        return cls(private, key_id=key_id, team_id=team_id)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TokenAuth | None:
        """From PASSKIT_APNS_KEY_FILE, _KEY_ID and _TEAM_ID; None when no key file is set."""
        env = os.environ if environ is None else environ
        key_file = env.get(ENV_APNS_KEY_FILE)
        if not key_file:
            return None
        key_id, team_id = env.get(ENV_APNS_KEY_ID), env.get(ENV_APNS_TEAM_ID)
        if not key_id or not team_id:
            missing = ENV_APNS_KEY_ID if not key_id else ENV_APNS_TEAM_ID
            raise SigningError(f"{ENV_APNS_KEY_FILE} is set but {missing} is not: set both")
        return cls.from_p8(key_file, key_id=key_id, team_id=team_id)

    def bearer(self) -> str:
        """The current token, made anew when it is older than TOKEN_LIFETIME."""
        with self._lock:
            now = self._clock()
            if self._token is None or now - self._token[1] >= TOKEN_LIFETIME:
                self._token = (self._make(now), now)
            return self._token[0]

    def renew(self, stale: str) -> str:
        """A new token if `stale`, which APNs called expired, is still the current one (many
        pushes in flight learn it at once; APNs refuses tokens renewed too often)."""
        with self._lock:
            if self._token is None or self._token[0] == stale:
                now = self._clock()
                self._token = (self._make(now), now)
            return self._token[0]

    def _make(self, now: float) -> str:
        return jwt.encode(
            {"iss": self.team_id, "iat": int(now)},
            self._key,
            algorithm="ES256",
            headers={"kid": self.key_id},
        )

    def __repr__(self) -> str:
        return f"TokenAuth(key_id={self.key_id!r}, team_id={self.team_id!r})"


ApnsAuth = CertificateAuth | TokenAuth


def ssl_context(auth: ApnsAuth, ca_file: str | Path | None) -> ssl.SSLContext:
    """TLS settings for one APNs connection: HTTP/2 by ALPN, TLS 1.2 at least, the server
    checked against the public CAs (or `ca_file`), and the client certificate if any."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["h2"])
    if isinstance(auth, CertificateAuth):
        auth.load_into(context)
    return context
