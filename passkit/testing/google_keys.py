"""The keys Google signs save and delete callbacks with, made for a test: `ECv2SigningOnly`.

A root key signs an intermediate key (with its expiry), which signs each callback message, as
Google documents for this protocol. `root_keys_json()` is the root key in the form of Google's
published key file, for `passkit.service.google_callbacks.load_root_keys`. The signed strings
are built here on their own (with `struct`), not borrowed from the verifier, so that the
stand-in checks the verifier rather than agreeing with it by construction.
"""

from __future__ import annotations

import base64
import json
import secrets
import struct
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

SENDER_ID = "GooglePayPasses"
PROTOCOL = "ECv2SigningOnly"
EventType = Literal["save", "del"]


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _signed_string(*parts: str) -> bytes:
    """Each part preceded by its UTF-8 length as a 4-byte little-endian number."""
    return b"".join(struct.pack("<I", len(p.encode())) + p.encode() for p in parts)


def _spki_base64(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def _sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> str:
    return base64.b64encode(key.sign(data, ec.ECDSA(hashes.SHA256()))).decode("ascii")


class CallbackKeys:
    """A root and an intermediate P-256 key, made fresh, that sign callback bodies."""

    def __init__(
        self,
        *,
        root_lifetime: timedelta = timedelta(days=365),
        intermediate_lifetime: timedelta = timedelta(days=7),
        sender_id: str = SENDER_ID,
    ) -> None:
        now = datetime.now(UTC)
        self.sender_id = sender_id
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.intermediate_key = ec.generate_private_key(ec.SECP256R1())
        self.root_expires = now + root_lifetime
        self.intermediate_expires = now + intermediate_lifetime

    def root_keys_json(self) -> dict[str, Any]:
        """The root key as Google's key file has it: ``{"keys": [{keyValue, protocolVersion,
        keyExpiration}]}`` (the expiry in milliseconds, written as text)."""
        return {
            "keys": [
                {
                    "keyValue": _spki_base64(self.root_key),
                    "protocolVersion": PROTOCOL,
                    "keyExpiration": str(millis(self.root_expires)),
                }
            ]
        }

    def signed_body(
        self,
        *,
        issuer_id: str,
        class_id: str,
        object_id: str,
        event_type: EventType,
        nonce: str | None = None,
        expires: datetime | None = None,
    ) -> bytes:
        """A callback body as Google POSTs it, for the recipient `issuer_id`."""
        message = {
            "classId": class_id,
            "objectId": object_id,
            "expTimeMillis": millis(expires or datetime.now(UTC) + timedelta(hours=1)),
            "eventType": event_type,
            "nonce": nonce or secrets.token_hex(16),
        }
        signed_message = json.dumps(message)
        signed_key = json.dumps(
            {
                "keyValue": _spki_base64(self.intermediate_key),
                "keyExpiration": str(millis(self.intermediate_expires)),
            }
        )
        key_signature = _sign(self.root_key, _signed_string(self.sender_id, PROTOCOL, signed_key))
        message_signature = _sign(
            self.intermediate_key,
            _signed_string(self.sender_id, issuer_id, PROTOCOL, signed_message),
        )
        body = {
            "signature": message_signature,
            "intermediateSigningKey": {"signedKey": signed_key, "signatures": [key_signature]},
            "protocolVersion": PROTOCOL,
            "signedMessage": signed_message,
        }
        return json.dumps(body).encode()
