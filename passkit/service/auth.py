"""The authentication tokens of passes: derived from the service secret, never stored.

Wallet sends a pass's token back as `Authorization: ApplePass <token>`. It is an HMAC of the
serial number under a key of the service secret, so it never changes for a serial, needs no
storage (nothing to leak from the database), and checking it needs no database read: a wrong
token costs the same whether or not the serial exists.

The service secret may hold several keys by id (``kid:secret,kid:secret``, the current first,
as `passkit.service.linktokens` reads it). A pass keeps the key id it was issued with (stored
with it, the key itself is not), so that adding a new current key changes no pass's token; a
request's token is compared with the token of every key, always all of them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

# Keeps these HMACs apart from any other the same secret is used for (link keys, say).
_PURPOSE = b"passkit apple authenticationToken\x00"
# The key in the address of a pass's download from its link's page (another HMAC of the serial,
# so that the address gives away nothing the pass's updates need).
_DOWNLOAD = b"passkit link download\x00"
SCHEME = "ApplePass"


def authentication_token(key: bytes, serial: str, purpose: bytes = _PURPOSE) -> str:
    """The token of `serial` under `key`: 43 characters (a SHA-256 in base64url; Apple asks
    for at least 16)."""
    mac = hmac.new(key, purpose + serial.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class PassTokenKeys:
    """The keys of the service secret by id, and the id new passes are issued with."""

    keys: Mapping[str, bytes] = field(repr=False)
    current: str

    def token(self, serial: str, key_id: str) -> str | None:
        """The token of `serial` under the key `key_id`, or None if the secret lacks it."""
        key = self.keys.get(key_id)
        return authentication_token(key, serial) if key is not None else None

    def download_key(self, serial: str) -> str:
        """The key in the address of the pass's download (under the current key)."""
        return authentication_token(self.keys[self.current], serial, _DOWNLOAD)

    def download_matches(self, serial: str, given: str) -> bool:
        """Whether `given` is a download key of `serial`, compared in constant time with that
        of every key."""
        found = False
        for key in self.keys.values():
            expected = authentication_token(key, serial, _DOWNLOAD).encode("ascii")
            found |= hmac.compare_digest(expected, given.encode("utf-8", "surrogateescape"))
        return found

    def matches(self, serial: str, authorization: str | None) -> bool:
        """Whether an Authorization header carries a token of `serial`, compared in constant
        time with the token of every key (whatever the header holds)."""
        given = (authorization or "").encode("utf-8", "surrogateescape")
        found = False
        for key in self.keys.values():
            expected = f"{SCHEME} {authentication_token(key, serial)}".encode("ascii")
            found |= hmac.compare_digest(expected, given)
        return found
