"""Google Wallet save and delete callbacks: the `ECv2SigningOnly` signed message, verified.

When a member saves or deletes a pass, Google POSTs a JSON body to the class's (or issuer's)
`callbackOptions.url`:

    {"signature": "<base64 DER ECDSA>",
     "intermediateSigningKey": {"signedKey": "{\\"keyValue\\": ..., \\"keyExpiration\\": ...}",
                                "signatures": ["<base64 DER ECDSA>", ...]},
     "protocolVersion": "ECv2SigningOnly",
     "signedMessage": "{\\"classId\\": ..., \\"objectId\\": ..., \\"expTimeMillis\\": ...,
                        \\"eventType\\": \\"save\\" | \\"del\\", \\"nonce\\": ...}"}

`CallbackVerifier.verify(body)` checks, in order, as Google documents for this protocol: the
body's size and shape; that one of the intermediate key's signatures verifies with a root key
that has not expired; that the intermediate key has not expired; that the message's signature
verifies with the intermediate key; the recipient (the issuer id, inside the signed string, and
the issuer part of the class and object ids); the message's expiry; and last that its nonce is
new (deliveries repeat). Signatures are ECDSA P-256 with SHA-256 in DER; keys are base64
X.509 SubjectPublicKeyInfo. Each signed string is the concatenation of its parts, each preceded
by its length in bytes as a 4-byte little-endian number:

    intermediate key: sender id | protocol version | signedKey
    message:          sender id | recipient id (issuer id) | protocol version | signedMessage

Root keys are configurable (`load_root_keys` reads Google's published key file format), so
tests and staging make their own. Every refusal is a `CallbackError` naming the check that
failed; a repeated nonce is a `CallbackReplay`, which an endpoint should acknowledge (200) so
that Google stops retrying.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from passkit.errors import PasskitError
from passkit.files import CREDENTIAL_LIMIT, read_limited

SENDER_ID = "GooglePayPasses"
PROTOCOL = "ECv2SigningOnly"
MAX_BODY_BYTES = 16 * 1024
MAX_SIGNATURES = 8
MAX_NONCE_CHARS = 256
EventType = Literal["save", "del"]


class CallbackError(PasskitError):
    """A callback body was refused; `check` names the step that failed."""

    def __init__(self, check: str, message: str) -> None:
        self.check = check
        super().__init__(f"Google Wallet callback refused ({check}): {message}")


class CallbackReplay(CallbackError):
    """A genuine callback whose nonce was seen before: a repeated delivery."""


@dataclass(frozen=True)
class RootKey:
    """One of Google's root signing keys."""

    public_key: ec.EllipticCurvePublicKey
    protocol_version: str = PROTOCOL
    expires_at: datetime | None = None

    def usable(self, now: datetime) -> bool:
        fresh = self.expires_at is None or now < self.expires_at
        return fresh and self.protocol_version == PROTOCOL


@dataclass(frozen=True)
class CallbackEvent:
    """A verified save or delete."""

    class_id: str
    object_id: str
    event_type: EventType
    nonce: str
    exp_time_millis: int

    @property
    def saved(self) -> bool:
        return self.event_type == "save"


class NonceStore(Protocol):
    """Remembers the nonces of accepted callbacks until their messages expire."""

    def add_if_new(self, nonce: str, *, expires_at: datetime, now: datetime) -> bool:
        """Record `nonce` until `expires_at`; False when it is already recorded (atomically).

        `now` is the verifier's clock: nonces whose messages expired before it may be dropped.
        """
        ...


class MemoryNonceStore:
    """A `NonceStore` in this process's memory: for one process and for tests.

    Nonces are forgotten once their message has expired (a replay is refused as expired
    then); past `max_entries`, the soonest-expiring ones are forgotten first.
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        self.max_entries = max_entries
        self._seen: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def add_if_new(self, nonce: str, *, expires_at: datetime, now: datetime) -> bool:
        with self._lock:
            if nonce in self._seen:
                return False
            if len(self._seen) >= self.max_entries:
                self._forget(now)
            self._seen[nonce] = expires_at
            return True

    def _forget(self, now: datetime) -> None:
        kept = {n: t for n, t in self._seen.items() if t > now}
        if len(kept) >= self.max_entries:
            soonest = sorted(kept, key=kept.__getitem__)[: len(kept) - self.max_entries + 1]
            for nonce in soonest:
                del kept[nonce]
        self._seen = kept


def load_root_keys(source: str | bytes | Path | Mapping[str, Any]) -> tuple[RootKey, ...]:
    """Root keys from Google's key file format: ``{"keys": [{"keyValue", "protocolVersion",
    "keyExpiration"}]}``, given as a path, JSON text or bytes, or the parsed mapping."""
    where = "root keys"
    if isinstance(source, Path):
        where = str(source)
        try:
            source = read_limited(source, CREDENTIAL_LIMIT, "Google root key file")
        except OSError as exc:
            raise CallbackError("root keys", f"cannot read {where}: {exc.strerror}") from None
    document: Any = source
    if isinstance(source, str | bytes):
        try:
            document = json.loads(source)
        except ValueError:
            raise CallbackError("root keys", f"{where} is not JSON") from None
    entries = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(entries, list) or not entries:
        raise CallbackError("root keys", f'{where}: expected {{"keys": [...]}} with a key')
    keys = []
    for index, entry in enumerate(entries):
        label = f"{where}: keys[{index}]"
        if not isinstance(entry, Mapping):
            raise CallbackError("root keys", f"{label} is not an object")
        expiry = entry.get("keyExpiration")
        keys.append(
            RootKey(
                public_key=_public_key(entry.get("keyValue"), "root keys", label),
                protocol_version=str(entry.get("protocolVersion", "")),
                expires_at=None if expiry is None else _instant(expiry, "root keys", label),
            )
        )
    return tuple(keys)


class CallbackVerifier:
    """Verifies callbacks for one issuer id against the given root keys."""

    def __init__(
        self,
        *,
        issuer_id: str,
        root_keys: Sequence[RootKey],
        nonces: NonceStore | None = None,
        sender_id: str = SENDER_ID,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        if not issuer_id:
            raise CallbackError("configuration", "an issuer id is needed")
        if not root_keys:
            raise CallbackError("configuration", "at least one root key is needed")
        self.issuer_id = issuer_id
        self.root_keys = tuple(root_keys)
        self.nonces: NonceStore = nonces if nonces is not None else MemoryNonceStore()
        self.sender_id = sender_id
        self.max_body_bytes = max_body_bytes

    def verify(self, body: bytes, *, now: datetime | None = None) -> CallbackEvent:
        """The event in a genuine, fresh, first-delivered callback body; CallbackError else."""
        moment = now or datetime.now(UTC)
        envelope = self._envelope(body)
        key_text = self._check_intermediate(envelope["intermediateSigningKey"], moment)
        signed_key = _json_object(key_text, "intermediate key", "signedKey")
        expires = _instant(signed_key.get("keyExpiration"), "intermediate key", "keyExpiration")
        if moment >= expires:
            raise CallbackError(
                "intermediate key expired", f"the intermediate signing key expired at {expires}"
            )
        intermediate = _public_key(signed_key.get("keyValue"), "intermediate key", "keyValue")
        message_text: str = envelope["signedMessage"]
        signed = _length_prefixed(self.sender_id, self.issuer_id, PROTOCOL, message_text)
        if not _verifies(intermediate, envelope["signature"], signed):
            raise CallbackError(
                "message signature",
                "the message's signature does not verify with the intermediate key for "
                f"recipient (issuer id) {self.issuer_id}: it is altered, or meant for "
                "another issuer",
            )
        event = _event(_json_object(message_text, "message", "signedMessage"))
        self._check_recipient(event)
        expiry = _instant(event.exp_time_millis, "message", "expTimeMillis")
        if moment >= expiry:
            raise CallbackError("message expired", f"the message expired at {expiry}")
        if not self.nonces.add_if_new(event.nonce, expires_at=expiry, now=moment):
            raise CallbackReplay("replay", f"nonce {event.nonce!r} was already delivered")
        return event

    def _envelope(self, body: bytes) -> dict[str, Any]:
        if len(body) > self.max_body_bytes:
            raise CallbackError(
                "body", f"the body is {len(body)} bytes, more than {self.max_body_bytes}"
            )
        envelope = _json_object(body, "body", "request body")
        if envelope.get("protocolVersion") != PROTOCOL:
            raise CallbackError(
                "body", f"protocolVersion is {envelope.get('protocolVersion')!r}, not {PROTOCOL}"
            )
        for name in ("signature", "signedMessage"):
            if not isinstance(envelope.get(name), str):
                raise CallbackError("body", f"{name} is missing or not text")
        key = envelope.get("intermediateSigningKey")
        signatures = key.get("signatures") if isinstance(key, Mapping) else None
        if (
            not isinstance(key, Mapping)
            or not isinstance(key.get("signedKey"), str)
            or not isinstance(signatures, list)
            or not all(isinstance(s, str) for s in signatures)
        ):
            raise CallbackError(
                "body", "intermediateSigningKey needs signedKey (text) and signatures (a list)"
            )
        if not signatures or len(signatures) > MAX_SIGNATURES:
            raise CallbackError(
                "body", f"intermediateSigningKey has {len(signatures)} signatures; 1 to 8 expected"
            )
        return envelope

    def _check_intermediate(self, key: Mapping[str, Any], now: datetime) -> str:
        signed_key: str = key["signedKey"]
        usable = [root for root in self.root_keys if root.usable(now)]
        if not usable:
            raise CallbackError(
                "root keys", f"none of the {len(self.root_keys)} root keys is valid now"
            )
        signed = _length_prefixed(self.sender_id, PROTOCOL, signed_key)
        for signature in key["signatures"]:
            if any(_verifies(root.public_key, signature, signed) for root in usable):
                return signed_key
        raise CallbackError(
            "intermediate key signature",
            f"no signature of the intermediate signing key verifies with any of the "
            f"{len(usable)} valid root keys",
        )

    def _check_recipient(self, event: CallbackEvent) -> None:
        prefix = self.issuer_id + "."
        for name, value in (("classId", event.class_id), ("objectId", event.object_id)):
            if not value.startswith(prefix):
                raise CallbackError(
                    "recipient", f"{name} {value!r} does not belong to issuer {self.issuer_id}"
                )


def _length_prefixed(*parts: str) -> bytes:
    """Each part as UTF-8 preceded by its byte length, 4 bytes little-endian."""
    out = bytearray()
    for part in parts:
        data = part.encode()
        out += len(data).to_bytes(4, "little") + data
    return bytes(out)


def _verifies(key: ec.EllipticCurvePublicKey, signature: str, data: bytes) -> bool:
    try:
        der = base64.b64decode(signature, validate=True)
        key.verify(der, data, ec.ECDSA(hashes.SHA256()))
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True


def _public_key(value: Any, check: str, where: str) -> ec.EllipticCurvePublicKey:
    try:
        der = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
        key = serialization.load_der_public_key(der)
    except (binascii.Error, ValueError, UnsupportedAlgorithm):
        key = None
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise CallbackError(
            check, f"{where} is not a base64 X.509 SubjectPublicKeyInfo of a P-256 key"
        )
    return key


def _millis(value: Any, check: str, where: str) -> int:
    """Milliseconds since 1970 (Google writes them as a number or as text)."""
    if isinstance(value, str) and value.isdigit() and len(value) <= 16:
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 10**15:
        raise CallbackError(check, f"{where} is not a time in milliseconds")
    return value


def _instant(value: Any, check: str, where: str) -> datetime:
    return datetime.fromtimestamp(_millis(value, check, where) / 1000, UTC)


def _json_object(text: str | bytes, check: str, where: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise CallbackError(check, f"{where} is not JSON") from None
    if not isinstance(value, dict):
        raise CallbackError(check, f"{where} is not a JSON object")
    return value


def _event(message: Mapping[str, Any]) -> CallbackEvent:
    for name in ("classId", "objectId", "nonce", "eventType"):
        if not isinstance(message.get(name), str) or not message[name]:
            raise CallbackError("message", f"{name} is missing or not text")
    if message["eventType"] not in ("save", "del"):
        raise CallbackError("message", f"eventType {message['eventType']!r} is not save or del")
    if len(message["nonce"]) > MAX_NONCE_CHARS:
        raise CallbackError("message", f"the nonce is longer than {MAX_NONCE_CHARS} characters")
    return CallbackEvent(
        class_id=message["classId"],
        object_id=message["objectId"],
        event_type=message["eventType"],
        nonce=message["nonce"],
        exp_time_millis=_millis(message.get("expTimeMillis"), "message", "expTimeMillis"),
    )
