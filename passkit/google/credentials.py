"""Google service-account keys: read once, checked with clear messages, and used to sign JWTs.

A service account key file is the JSON document Google Cloud hands out (`type`,
`client_email`, `private_key_id`, `private_key`, `token_uri`, ...). The private key is parsed
once, when the account is loaded, so that signing thousands of save links costs one RSA
signature each and nothing more.
"""

from __future__ import annotations

import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from passkit.environment import ENV_SERVICE_ACCOUNT
from passkit.errors import SigningError
from passkit.files import CREDENTIAL_LIMIT, read_limited
from passkit.google.json_writing import compact_json
from passkit.keys import load_private_key, signs_verifiably
from passkit.secret_source import read_secret_file

DEFAULT_TOKEN_URI = "https://oauth2.googleapis.com/token"
_REQUIRED_KEYS = ("client_email", "private_key_id", "private_key")
# Stateless: made once rather than for every signature.
_PKCS1V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def b64url_bytes(data: bytes) -> bytes:
    """Unpadded base64url, straight from binascii (base64.urlsafe_b64encode adds two calls)."""
    return binascii.b2a_base64(data, newline=False).translate(_URLSAFE).rstrip(b"=")


def b64url(data: bytes) -> str:
    return b64url_bytes(data).decode("ascii")


def b64url_length(byte_count: int) -> int:
    """Length of the unpadded base64url text of `byte_count` bytes."""
    return (byte_count * 4 + 2) // 3


@dataclass(frozen=True, eq=False)
class ServiceAccount:
    """One Google service account: its e-mail, key id, token endpoint and loaded private key."""

    client_email: str
    private_key_id: str
    private_key: rsa.RSAPrivateKey = field(repr=False)
    token_uri: str = DEFAULT_TOKEN_URI
    project_id: str | None = None
    source: str = "<service account>"

    # Worked out on first use, then the same for every token signed.

    @cached_property
    def _header_b64(self) -> str:
        return b64url(compact_json({"alg": "RS256", "kid": self.private_key_id, "typ": "JWT"}))

    @cached_property
    def _signing_prefix(self) -> bytes:
        return f"{self._header_b64}.".encode("ascii")

    @cached_property
    def _signature_length(self) -> int:
        return b64url_length((self.private_key.key_size + 7) // 8)

    # --- loading -------------------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | Path) -> ServiceAccount:
        path = Path(path)
        try:
            text = read_limited(path, CREDENTIAL_LIMIT, "service account key", SigningError).decode(
                "utf-8"
            )
        except FileNotFoundError:
            raise SigningError(
                f"{path}: Google service account file not found; download a JSON key of the "
                "service account from the Google Cloud console"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise SigningError(f"{path}: cannot read the service account file ({reason})") from None
        return cls.from_json(text, source=str(path))

    @classmethod
    def from_json(
        cls, document: str | bytes | Mapping[str, Any], *, source: str = "<service account JSON>"
    ) -> ServiceAccount:
        """Load from the key file's JSON text (or its parsed dict); `source` names it in errors."""
        if isinstance(document, str | bytes):
            try:
                data = json.loads(document)
            except (ValueError, UnicodeDecodeError) as exc:
                raise SigningError(
                    f"{source}: not a Google service account key: the file is not JSON ({exc})"
                ) from None
        else:
            data = document
        if not isinstance(data, Mapping):
            raise SigningError(
                f"{source}: not a Google service account key: expected a JSON object with "
                f"{', '.join(_REQUIRED_KEYS)}"
            )
        kind = data.get("type", "service_account")
        if kind != "service_account":
            raise SigningError(
                f"{source}: 'type' is {kind!r}, not 'service_account'; use a key of a service "
                "account (Google Cloud console > IAM > Service accounts > Keys), not user "
                "credentials"
            )
        for key in _REQUIRED_KEYS:
            value = data.get(key)
            if not isinstance(value, str) or not value.strip():
                raise SigningError(
                    f"{source}: the service account key has no '{key}'; download a new JSON key "
                    "from the Google Cloud console"
                )
        token_uri = data.get("token_uri") or DEFAULT_TOKEN_URI
        if not isinstance(token_uri, str) or not token_uri.startswith(("https://", "http://")):
            raise SigningError(f"{source}: 'token_uri' {token_uri!r} is not an http(s) URL")
        project_id = data.get("project_id")
        return cls(
            client_email=data["client_email"].strip(),
            private_key_id=data["private_key_id"].strip(),
            private_key=_load_private_key(data["private_key"], source),
            token_uri=token_uri,
            project_id=project_id if isinstance(project_id, str) else None,
            source=source,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ServiceAccount:
        """From PASSKIT_GOOGLE_SERVICE_ACCOUNT: a path to the key file, or the JSON text itself."""
        env = os.environ if environ is None else environ
        value = env.get(ENV_SERVICE_ACCOUNT, "").strip()
        if not value:
            raise SigningError(
                f"{ENV_SERVICE_ACCOUNT} is not set; set it to the path of a service account "
                "JSON key (or to the JSON text itself)"
            )
        if value.startswith("{"):
            return cls.from_json(value, source=f"${ENV_SERVICE_ACCOUNT}")
        expected = "JSON text ({...})"
        data, path = read_secret_file(value, ENV_SERVICE_ACCOUNT, "service account key", expected)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise SigningError(
                f"{path}: cannot read the service account file (not UTF-8 text)"
            ) from None
        return cls.from_json(text, source=str(path))

    # --- use -----------------------------------------------------------------------------------

    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    @property
    def signature_length(self) -> int:
        """Characters of the base64url RS256 signature this key makes."""
        return self._signature_length

    @property
    def header_b64(self) -> str:
        """The encoded JWT header: RS256 and this key's id, compact JSON, the same every time."""
        return self._header_b64

    def sign_jwt(self, claims: Mapping[str, Any] | bytes) -> str:
        """A compact RS256 JWT of `claims` (a mapping, or claims already as compact JSON bytes)."""
        body = claims if isinstance(claims, bytes) else compact_json(claims)
        signing_input = self._signing_prefix + b64url_bytes(body)
        signature = self.private_key.sign(signing_input, _PKCS1V15, _SHA256)
        return (signing_input + b"." + b64url_bytes(signature)).decode("ascii")


def _load_private_key(pem: str, source: str) -> rsa.RSAPrivateKey:
    try:
        # Proven by a trial signature below (passkit.keys).
        key = load_private_key(pem.encode("utf-8"), None)
    except TypeError:
        raise SigningError(
            f"{source}: 'private_key' is encrypted; a service account key is not password "
            "protected: download a new JSON key"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise SigningError(
            f"{source}: 'private_key' is not a readable PEM private key; the file may be "
            "truncated or edited: download a new JSON key from the Google Cloud console"
        ) from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SigningError(
            f"{source}: 'private_key' is a {type(key).__name__.lstrip('_')}, but Google signs "
            "save links with RS256 and needs an RSA key"
        )
    if key.key_size < 2048:
        raise SigningError(
            f"{source}: 'private_key' is a {key.key_size}-bit RSA key; Google needs at least 2048"
        )
    if not signs_verifiably(key, key.public_key()):
        raise SigningError(
            f"{source}: 'private_key' is damaged: its signatures do not verify with its own "
            "public key; download a new JSON key from the Google Cloud console"
        )
    return key
