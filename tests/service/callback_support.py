"""Plays Google for callback tests: `ECv2SigningOnly` messages made by the openssl command.

The keys, the signatures and the root key file are made with openssl and the signed strings
with `struct`, so the verifier (cryptography, int.to_bytes) is checked against a second
implementation of the documented construction.
"""

from __future__ import annotations

import base64
import json
import struct
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ISSUER = "3388000000012345678"
NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def openssl(*args: str, data: bytes = b"") -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


@dataclass
class Key:
    pem: Path

    @classmethod
    def make(cls, folder: Path, name: str) -> Key:
        path = folder / f"{name}.pem"
        openssl(
            "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(path)
        )
        return cls(path)

    def spki_base64(self) -> str:
        der = openssl("pkey", "-in", str(self.pem), "-pubout", "-outform", "DER")
        return base64.b64encode(der).decode()

    def sign(self, data: bytes) -> str:
        return base64.b64encode(
            openssl("dgst", "-sha256", "-sign", str(self.pem), data=data)
        ).decode()


def signed_string(*parts: str) -> bytes:
    return b"".join(struct.pack("<I", len(p.encode("utf-8"))) + p.encode("utf-8") for p in parts)


@dataclass
class Google:
    """Plays Google: a root key, an intermediate key signed by it, callbacks signed by that."""

    root: Key
    intermediate: Key
    other: Key
    sender: str = "GooglePayPasses"
    root_file: Path = field(init=False)

    def root_keys(self, path: Path, *, expires: datetime | None = None) -> Path:
        entry: dict[str, Any] = {
            "keyValue": self.root.spki_base64(),
            "protocolVersion": "ECv2SigningOnly",
        }
        if expires is not None:
            entry["keyExpiration"] = str(millis(expires))
        path.write_text(json.dumps({"keys": [entry]}))
        return path

    def body(
        self,
        *,
        event: str = "save",
        nonce: str = "nonce-1",
        expires: datetime = NOW + timedelta(minutes=5),
        key_expires: datetime = NOW + timedelta(days=7),
        recipient: str = ISSUER,
        issuer_in_ids: str = ISSUER,
        object_suffix: str = "lumen-4012883310",
        key_signer: Key | None = None,
        message_signer: Key | None = None,
    ) -> bytes:
        signed_key = json.dumps(
            {"keyValue": self.intermediate.spki_base64(), "keyExpiration": str(millis(key_expires))}
        )
        message = json.dumps(
            {
                "classId": f"{issuer_in_ids}.lumen_loyalty",
                "objectId": f"{issuer_in_ids}.{object_suffix}",
                "expTimeMillis": millis(expires),
                "eventType": event,
                "nonce": nonce,
            }
        )
        key_sig = (key_signer or self.root).sign(
            signed_string(self.sender, "ECv2SigningOnly", signed_key)
        )
        message_sig = (message_signer or self.intermediate).sign(
            signed_string(self.sender, recipient, "ECv2SigningOnly", message)
        )
        return json.dumps(
            {
                "signature": message_sig,
                "intermediateSigningKey": {"signedKey": signed_key, "signatures": [key_sig]},
                "protocolVersion": "ECv2SigningOnly",
                "signedMessage": message,
            }
        ).encode()
