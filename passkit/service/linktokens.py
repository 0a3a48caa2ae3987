"""Issuance-link tokens: what a link pre-fills, encrypted and authenticated.

A link such as ``https://passes.example.com/l/<token>`` carries its layout, the values it
pre-fills, when it expires, how often it may be used, a random link id and its kind (a personal
link for one member, or a campaign link shared by many). Nobody may read or change these, so
the token is AES-GCM ciphertext:

    token = base64url(version | len(kid) | kid | nonce | ciphertext-and-tag)

- The version byte (1) lets a later format live beside this one.
- Keys come from the service secret through HKDF-SHA256 with the key id in the info, so one
  secret never keys two ids alike. The key id travels in clear (it picks the key) and is bound
  as associated data with the version: changing either makes the token unreadable.
- The nonce is 96 random bits, fresh for every token.
- Tokens are at most `MAX_TOKEN_CHARS` characters, so a link fits in a URL, an SMS or a QR code,
  and a longer one is refused before any decoding.

Key rotation: a `LinkKeyring` holds several keys by id; the current one seals new tokens and
every one opens tokens. Add a new current key and older links keep working; remove a key and
the links it sealed are refused with `LinkKeyUnknown`. `PASSKIT_SERVICE_SECRET` holds either
one secret, or comma-separated ``kid:secret`` entries, the first being the current key.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from passkit.environment import ENV_SERVICE_SECRET
from passkit.errors import PasskitError

VERSION = 1
MAX_TOKEN_CHARS = 2000
MIN_SECRET_CHARS = 32
_NONCE_BYTES = 12
_TAG_BYTES = 16
_KID = re.compile(r"[A-Za-z0-9._-]{1,32}")
_DEFAULT_KID = "k0"
_HKDF_SALT = b"passkit issuance links"


class LinkTokenError(PasskitError):
    """A link token cannot be used; the subclass says why."""


class LinkTokenInvalid(LinkTokenError):
    """The token is unreadable: truncated, altered, or not a passkit link token."""


class LinkKeyUnknown(LinkTokenError):
    """The token names a key id this service does not have (a removed or foreign key)."""

    def __init__(self, message: str, *, kid: str) -> None:
        self.kid = kid
        super().__init__(message)


class LinkExpired(LinkTokenError):
    """The link was genuine but its expiry instant has passed."""

    def __init__(self, message: str, *, payload: LinkPayload) -> None:
        self.payload = payload
        self.expired_at = payload.expires_at
        super().__init__(message)


class LinkUsedUp(LinkTokenError):
    """The link was genuine but has been used `max_uses` times (raised by whoever counts)."""

    def __init__(self, message: str, *, payload: LinkPayload) -> None:
        self.payload = payload
        super().__init__(message)


class LinkKeyringError(PasskitError):
    """The keys for link tokens are misconfigured; never shows a secret."""


class LinkKind(StrEnum):
    PERSONAL = "personal"  # pre-fills what the serial depends on: one pass, same on every visit
    CAMPAIGN = "campaign"  # shared: a new pass per use, up to max_uses


@dataclass
class LinkPayload:
    """What a link token holds. `expires_at` is kept to the second (UTC); `kind` is a
    LinkKind. (Not frozen: creating it puts those two in that form.)"""

    layout: str
    prefill: Mapping[str, Any]
    expires_at: datetime | None
    max_uses: int | None
    kind: LinkKind
    link_id: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    def __post_init__(self) -> None:
        if not self.layout:
            raise LinkTokenError("a link needs a layout name")
        if self.expires_at is not None:
            if self.expires_at.tzinfo is None:
                raise LinkTokenError("expires_at needs a time zone, e.g. 2026-12-31T23:59:00Z")
            whole = datetime.fromtimestamp(math.floor(self.expires_at.timestamp()), UTC)
            self.expires_at = whole
        if self.max_uses is not None and (
            isinstance(self.max_uses, bool)
            or not isinstance(self.max_uses, int)
            or self.max_uses < 1
        ):
            raise LinkTokenError(
                f"max_uses must be a whole number of at least 1, not {self.max_uses!r}"
            )
        self.kind = LinkKind(self.kind)
        for key, value in self.prefill.items():
            if not isinstance(key, str):
                raise LinkTokenError(f"prefill keys are input names (text), not {key!r}")
            _check_json(value, f"prefill '{key}'")

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def to_json(self) -> bytes:
        document = {
            "l": self.layout,
            "p": dict(self.prefill),
            "e": int(self.expires_at.timestamp()) if self.expires_at else None,
            "m": self.max_uses,
            "k": self.kind.value,
            "i": self.link_id,
        }
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> LinkPayload:
        """The payload of an authenticated token; LinkTokenInvalid for a foreign shape."""
        try:
            document = json.loads(data)
            expires = document["e"]
            payload = cls(
                layout=_typed(document["l"], str),
                prefill=_typed(document["p"], dict),
                expires_at=None
                if expires is None
                else datetime.fromtimestamp(_typed(expires, int), UTC),
                max_uses=document["m"],
                kind=LinkKind(document["k"]),
                link_id=_typed(document["i"], str),
            )
        except (ValueError, KeyError, TypeError, LinkTokenError):
            raise LinkTokenInvalid(
                "this link holds no passkit link data; ask for a new link"
            ) from None
        return payload


def _typed(value: Any, kind: type) -> Any:
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TypeError(kind.__name__)
    return value


def _check_json(value: Any, where: str) -> None:
    """Prefilled values travel as JSON: text, numbers, booleans, null, lists and mappings."""
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise LinkTokenError(f"{where}: {value!r} is not a finite number")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]")
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise LinkTokenError(f"{where}: mapping keys must be text, not {key!r}")
            _check_json(item, f"{where}.{key}")
        return
    raise LinkTokenError(
        f"{where}: a {type(value).__name__} cannot travel in a link; write it as text "
        "(dates as 2026-12-01, money as '12.50 EUR'), the layout reads it the same"
    )


def _derive(secret: bytes, kid: str) -> AESGCM:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=_HKDF_SALT,
        info=b"passkit-link-v1:" + kid.encode(),
    ).derive(secret)
    return AESGCM(key)


def secrets_by_kid(text: str) -> tuple[dict[str, str], str]:
    """The secrets of a `PASSKIT_SERVICE_SECRET` text by key id, and the current key id.

    One secret is key id "k0"; ``kid:secret,kid:secret`` entries name theirs, the current first.
    (Each secret's length is checked where it is used.)
    """
    entries = [entry.strip() for entry in text.strip().split(",")]
    pairs = [entry.partition(":") for entry in entries]
    if not (len(entries) > 1 or all(sep and _KID.fullmatch(kid) for kid, sep, _ in pairs)):
        return {_DEFAULT_KID: text.strip()}, _DEFAULT_KID
    keys: dict[str, str] = {}
    for index, (kid, sep, secret) in enumerate(pairs):
        if not sep or not _KID.fullmatch(kid):
            raise LinkKeyringError(
                f"{ENV_SERVICE_SECRET}: entry {index + 1} is not 'kid:secret' "
                "(several keys are written kid:secret,kid:secret, the current first)"
            )
        if kid in keys:
            raise LinkKeyringError(f"{ENV_SERVICE_SECRET}: key id {kid!r} appears twice")
        keys[kid] = secret
    return keys, pairs[0][0]


class LinkKeyring:
    """Keys for link tokens by id: `current` seals, every key opens."""

    def __init__(self, secrets_by_kid: Mapping[str, str | bytes], *, current: str) -> None:
        if current not in secrets_by_kid:
            raise LinkKeyringError(f"the current key id {current!r} is not among the keys")
        self.current = current
        self._ciphers: dict[str, AESGCM] = {}
        for kid, secret in secrets_by_kid.items():
            if not _KID.fullmatch(kid):
                raise LinkKeyringError(
                    f"key id {kid!r}: use 1 to 32 letters, digits, '.', '_' or '-'"
                )
            raw = secret.encode() if isinstance(secret, str) else bytes(secret)
            if len(raw) < MIN_SECRET_CHARS:
                raise LinkKeyringError(
                    f"the secret of key id {kid!r} is {len(raw)} characters long; use at least "
                    f"{MIN_SECRET_CHARS} random ones (e.g. `python -c 'import secrets; "
                    "print(secrets.token_urlsafe(32))'`)"
                )
            self._ciphers[kid] = _derive(raw, kid)

    @property
    def kids(self) -> tuple[str, ...]:
        return tuple(self._ciphers)

    @classmethod
    def from_text(cls, text: str) -> LinkKeyring:
        """One secret (key id "k0"), or ``kid:secret,kid:secret`` with the current key first."""
        keys, current = secrets_by_kid(text)
        return cls(keys, current=current)

    @classmethod
    def from_env(cls) -> LinkKeyring:
        text = os.environ.get(ENV_SERVICE_SECRET, "")
        if not text.strip():
            raise LinkKeyringError(
                f"{ENV_SERVICE_SECRET} is not set; set it to a random secret of at least "
                f"{MIN_SECRET_CHARS} characters (or kid:secret entries, the current first)"
            )
        return cls.from_text(text)

    def seal(self, payload: LinkPayload) -> str:
        """The token for `payload`, sealed with the current key."""
        kid = self.current.encode()
        header = bytes((VERSION, len(kid))) + kid
        nonce = secrets.token_bytes(_NONCE_BYTES)
        sealed = self._ciphers[self.current].encrypt(nonce, payload.to_json(), header)
        token = base64.urlsafe_b64encode(header + nonce + sealed).rstrip(b"=").decode()
        if len(token) > MAX_TOKEN_CHARS:
            raise LinkTokenError(
                f"this link would be {len(token)} characters long, more than "
                f"{MAX_TOKEN_CHARS}; pre-fill fewer or shorter values"
            )
        return token

    def open(self, token: str, *, now: datetime | None = None) -> LinkPayload:
        """The payload of a genuine token that has not expired at `now` (default: now, UTC).

        Raises LinkTokenInvalid, LinkKeyUnknown or LinkExpired.
        """
        raw = _decode(token)
        if raw[0] != VERSION:
            raise LinkTokenInvalid(
                f"this link is in format {raw[0]}, which this version of passkit cannot read"
            )
        end = 2 + raw[1]
        kid_bytes = raw[2:end]
        if raw[1] == 0 or len(raw) < end + _NONCE_BYTES + _TAG_BYTES:
            raise LinkTokenInvalid("this link is cut short or altered; ask for a new link")
        kid = kid_bytes.decode("ascii", errors="replace")
        cipher = self._ciphers.get(kid) if _KID.fullmatch(kid) else None
        if cipher is None:
            raise LinkKeyUnknown(
                f"this link was sealed with key id {kid!r}, which this service does not have "
                "(removed, or from another service); ask for a new link",
                kid=kid,
            )
        nonce = raw[end : end + _NONCE_BYTES]
        try:
            data = cipher.decrypt(nonce, raw[end + _NONCE_BYTES :], raw[:end])
        except InvalidTag:
            raise LinkTokenInvalid("this link is altered or damaged; ask for a new link") from None
        payload = LinkPayload.from_json(data)
        moment = now or datetime.now(UTC)
        if payload.is_expired(moment):
            assert payload.expires_at is not None
            raise LinkExpired(
                f"this link expired on {payload.expires_at:%Y-%m-%d at %H:%M:%S} UTC",
                payload=payload,
            )
        return payload


def _decode(token: str) -> bytes:
    if not isinstance(token, str) or not token:
        raise LinkTokenInvalid("this link has no token; ask for a new link")
    if len(token) > MAX_TOKEN_CHARS:
        raise LinkTokenInvalid(
            f"this link is {len(token)} characters long, more than a passkit link can be"
        )
    if not re.fullmatch(r"[A-Za-z0-9_-]+", token):
        raise LinkTokenInvalid("this link's token has characters a passkit link never has")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise LinkTokenInvalid("this link's token is cut short; ask for a new link") from None
    if len(raw) < 2:
        raise LinkTokenInvalid("this link's token is cut short; ask for a new link")
    # base64 lets the last character carry unused bits: only the one spelling is accepted
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != token:
        raise LinkTokenInvalid("this link is altered or damaged; ask for a new link")
    return raw
