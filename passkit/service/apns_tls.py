"""Telling a refused TLS identity from a passing network failure.

A network failure (no route, a reset, a timeout) is worth retrying; a TLS failure about
certificates is not: either the server refused passkit's client certificate (it answers with
a TLS alert such as "bad certificate" or "certificate required") or passkit cannot trust the
server's. Retrying either would only delay the error the sender must stop with.
"""

from __future__ import annotations

import ssl

from passkit.environment import ENV_APNS_CA_FILE, ENV_APNS_URL
from passkit.errors import ApnsRefusedError

# OpenSSL's names for the alerts a server sends when it refuses a client certificate.
_REFUSED_CERTIFICATE = (
    "ALERT_BAD_CERTIFICATE",
    "ALERT_CERTIFICATE_REQUIRED",
    "ALERT_UNKNOWN_CA",
    "ALERT_CERTIFICATE_UNKNOWN",
    "ALERT_CERTIFICATE_REVOKED",
    "ALERT_CERTIFICATE_EXPIRED",
    "ALERT_UNSUPPORTED_CERTIFICATE",
    "ALERT_ACCESS_DENIED",
)


def _ssl_error(error: BaseException) -> ssl.SSLError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def transport_refusal(error: Exception, topic: str, url: str) -> ApnsRefusedError | None:
    """The error to stop with when `error` is a refused certificate, else None (retry)."""
    cause = _ssl_error(error)
    if cause is None:
        return None
    if isinstance(cause, ssl.SSLCertVerificationError):
        return ApnsRefusedError(
            f"cannot trust the certificate of the APNs server {url} ({cause.verify_message}):"
            f" for a test server, give its CA in {ENV_APNS_CA_FILE}; for Apple, check"
            f" {ENV_APNS_URL} and the machine's clock",
            topic=topic,
        )
    name = f"{cause.reason or ''} {cause}".upper()
    if any(alert in name for alert in _REFUSED_CERTIFICATE):
        return ApnsRefusedError(
            f"the APNs server {url} refused the TLS client certificate for pass type"
            f" '{topic}' ({cause.reason}): push with the Pass Type ID certificate of"
            f" '{topic}', still valid, on the endpoint that matches it ({ENV_APNS_URL})",
            topic=topic,
        )
    return None
