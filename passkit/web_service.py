"""What a pass's web service must be: an https:// address (http:// only on this machine), and an
authentication token long enough to be a secret (the rules `apple.web-service.*` of
`passkit.apple_rules`).

Apple Wallet sends the token with every request to the service, so a token sent unencrypted
across a network, or one short enough to guess, lets anyone read and change the pass. The
same rule holds for every address passkit sends a secret to, such as the Google Wallet API's
(`https_or_loopback`).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from passkit.apple_rules import MIN_TOKEN_LENGTH, RuleBroken, rule

_LOOPBACK_NAMES = ("localhost", "localhost.")


def https_or_loopback(url: str) -> bool:
    """Whether a secret may be sent to `url`: an https:// address, or plain http:// on this
    machine (127.0.0.1, ::1, localhost), where it crosses no network."""
    scheme, host = _scheme_and_host(url)
    if not host:
        return False
    return scheme == "https" or (scheme == "http" and _is_loopback(host))


def url_breach(url: str) -> RuleBroken | None:
    """The rule `url` breaks as the address Apple Wallet is sent to for updates, or None."""
    scheme, host = _scheme_and_host(url)
    if scheme not in ("https", "http") or not host:
        return rule("apple.web-service.url").broken(url=url)
    if https_or_loopback(url):
        return None
    return rule("apple.web-service.https").broken(url=url)


def url_problem(url: str) -> str | None:
    """Why Apple Wallet must not be sent to `url` for updates, or None when it may."""
    breach = url_breach(url)
    return None if breach is None else str(breach)


def token_breach(token: str) -> RuleBroken | None:
    """The rule `token` breaks as a pass's authentication token, or None. Its message never
    quotes the token: it is a secret."""
    if len(token) >= MIN_TOKEN_LENGTH:
        return None
    problem = f"the authentication token is {len(token)} characters long"
    return rule("apple.web-service.token").broken(problem=problem)


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
