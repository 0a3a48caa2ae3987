"""The authentication token of each pass: derived from the service secret, never stored.

Wallet sends it back as `Authorization: ApplePass <token>`. It is an HMAC of the serial number
under the service secret, so it never changes for a serial, needs no storage (nothing to leak
from the database), and checking it needs no database read: a wrong token costs the same
whether or not the serial exists.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

# Keeps these HMACs apart from any other the same secret is used for (links, say).
_PURPOSE = b"passkit apple authenticationToken\x00"
SCHEME = "ApplePass"


def authentication_token(secret: bytes, serial: str) -> str:
    """The token of `serial`: 43 characters (a whole SHA-256 in base64url; Apple asks for 16+)."""
    mac = hmac.new(secret, _PURPOSE + serial.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def token_matches(secret: bytes, serial: str, authorization: str | None) -> bool:
    """Whether an Authorization header carries the token of `serial`, compared in constant
    time (the expected token is computed whatever the header holds)."""
    expected = f"{SCHEME} {authentication_token(secret, serial)}".encode("ascii")
    given = (authorization or "").encode("utf-8", "surrogateescape")
    return hmac.compare_digest(expected, given)
