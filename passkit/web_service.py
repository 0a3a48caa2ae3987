"""What a pass's web service must be: an https:// address (http:// only on this machine), and an
authentication token long enough to be a secret.

Apple Wallet sends the token with every request to the service, so a token sent unencrypted
across a network, or one short enough to guess, lets anyone read and change the pass. The
same rule holds for every address passkit sends a secret to, such as the Google Wallet API's
(`https_or_loopback`).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

MIN_TOKEN_LENGTH = 16
_LOOPBACK_NAMES = ("localhost", "localhost.")


def https_or_loopback(url: str) -> bool:
    """Whether a secret may be sent to `url`: an https:// address, or plain http:// on this
    machine (127.0.0.1, ::1, localhost), where it crosses no network."""
    scheme, host = _scheme_and_host(url)
    if not host:
        return False
    return scheme == "https" or (scheme == "http" and _is_loopback(host))


def url_problem(url: str) -> str | None:
    """Why Apple Wallet must not be sent to `url` for updates, or None when it may."""
    scheme, host = _scheme_and_host(url)
    if scheme not in ("https", "http") or not host:
        return f"{url!r} is not a web address; give the service's https:// URL"
    if https_or_loopback(url):
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


def _scheme_and_host(url: str) -> tuple[str, str | None]:
    try:
        parts = urlsplit(url)
        return parts.scheme, parts.hostname
    except ValueError:  # such as an unclosed [ around an IPv6 address
        return "", None


def _is_loopback(host: str) -> bool:
    if host.casefold() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
