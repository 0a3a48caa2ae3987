"""What a pass's web service must be: an https:// address (http:// only on this machine), and an
authentication token long enough to be a secret (the rules `apple.web-service.*` of
`passkit.apple_rules`).

Apple Wallet sends the token with every request to the service, so a token sent unencrypted
across a network, or one short enough to guess, lets anyone read and change the pass.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from passkit.apple_rules import MIN_TOKEN_LENGTH, RuleBroken, rule

_LOOPBACK_NAMES = ("localhost", "localhost.")


def url_breach(url: str) -> RuleBroken | None:
    """The rule `url` breaks as the address Apple Wallet is sent to for updates, or None."""
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme, parts.hostname
    except ValueError:
        scheme, host = "", None
    if scheme not in ("https", "http") or not host:
        return rule("apple.web-service.url").broken(url=url)
    if scheme == "https" or _is_loopback(host):
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


def _is_loopback(host: str) -> bool:
    if host.casefold() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
