"""Barcode values passkit makes up: numeric, alphabetic or alphanumeric codes of a given length.

`from_serial` codes are an HMAC-SHA256 of the serial number, so reissuing a pass (an update, a
resend) gives it the same code. Keyed with a secret (from an environment variable), the codes
cannot be guessed from serial numbers; without one, the key is the layout's name, which keeps
codes stable but makes them predictable to anyone who knows how they are made.
`random` codes come from the operating system's random source and differ every time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Literal

ALPHABETS: dict[str, str] = {
    "numeric": "0123456789",
    "alphabetic": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "alphanumeric": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
}


@dataclass(frozen=True)
class CodeGenerator:
    characters: Literal["numeric", "alphabetic", "alphanumeric"]
    length: int
    mode: Literal["from_serial", "random"]
    key: bytes

    def generate(self, serial_number: str) -> str:
        alphabet = ALPHABETS[self.characters]
        if self.mode == "random":
            return "".join(secrets.choice(alphabet) for _ in range(self.length))
        return _derive(self.key, serial_number.encode("utf-8"), alphabet, self.length)


def _derive(key: bytes, message: bytes, alphabet: str, length: int) -> str:
    """`length` characters of `alphabet` drawn uniformly from an HMAC stream of `message`.

    Bytes that would bias the draw (those past the largest multiple of the alphabet's size)
    are skipped, so every character is equally likely.
    """
    size = len(alphabet)
    limit = 256 - 256 % size
    out: list[str] = []
    counter = 0
    while len(out) < length:
        block = hmac.new(key, message + counter.to_bytes(4, "big"), hashlib.sha256).digest()
        counter += 1
        for byte in block:
            if byte < limit:
                out.append(alphabet[byte % size])
                if len(out) == length:
                    break
    return "".join(out)
