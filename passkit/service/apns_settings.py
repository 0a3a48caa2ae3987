"""The APNs client's settings: which endpoint, and how long a push is retried."""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import urlsplit

from passkit.environment import ENV_APNS_URL
from passkit.errors import ApnsRefusedError

PRODUCTION_URL = "https://api.push.apple.com"
SANDBOX_URL = "https://api.sandbox.push.apple.com"
_NAMED_URLS = {"production": PRODUCTION_URL, "sandbox": SANDBOX_URL}


@dataclass(frozen=True)
class RetryPolicy:
    """How long one token is retried on 429, 5xx and network failures: at most `attempts`
    sends within `budget` seconds, waiting a random time up to `first_delay` * 2**n (at most
    `max_delay`) between them ("full jitter", so that many tokens do not retry in step)."""

    attempts: int = 5
    first_delay: float = 0.5
    max_delay: float = 10.0
    budget: float = 60.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_delay, self.first_delay * 2 ** (attempt - 1)))


def endpoint_url(setting: str | None) -> str:
    """The URL of `setting`: "production" (the default), "sandbox", or an https URL."""
    value = (setting or "production").strip()
    url = _NAMED_URLS.get(value.lower(), value).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.path or parts.query:
        raise ApnsRefusedError(
            f"APNs endpoint {value!r} is not 'production', 'sandbox' or an https URL with"
            f" no path (such as https://127.0.0.1:8443): check {ENV_APNS_URL}"
        )
    return url
