"""What a pass's web service must be: an https:// address (http:// only on this machine), and an
authentication token long enough to be a secret.

Apple Wallet sends the token with every request to the service, so a token sent unencrypted
across a network, or one short enough to guess, lets anyone read and change the pass.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

MIN_TOKEN_LENGTH = 16
_LOOPBACK_NAMES = ("localhost", "localhost.")


def url_problem(url: str) -> str | None:
    """Why Apple Wallet must not be sent to `url` for updates, or None when it may."""
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname
    except ValueError:
        scheme, host = "", None
    if scheme not in ("https", "http") or not host:
        return f"{url!r} is not a web address; give the service's https:// URL"
    if scheme == "https" or _is_loopback(host):
        return None
    return (
        f"{url!r} is http://, which sends the authentication token unencrypted: use https:// "
        "(plain http:// is only for a service on this machine, such as "
        "http://127.0.0.1:8000/, in development)"
    )


def token_problem(token: str) -> str | None:
    """Why `token` cannot be a pass's authentication token, or None. Never quotes the token:
    it is a secret."""
    if len(token) >= MIN_TOKEN_LENGTH:
        return None
    return (
        f"the authentication token is {len(token)} characters long; Apple Wallet needs at "
        f"least {MIN_TOKEN_LENGTH}: use a random secret of {MIN_TOKEN_LENGTH} characters or "
        "more for each pass"
    )


def _is_loopback(host: str) -> bool:
    if host.casefold() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
