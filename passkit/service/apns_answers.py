"""What each APNs answer means for one push: delivered, drop the registration, retry, or stop.

Apple documents the status codes and the `reason` strings of APNs's JSON answers ("Handling
error responses from APNs"). For Wallet passes they sort into four kinds:

- 200: delivered; the device will ask the web service what changed.
- 410 (Unregistered, ExpiredToken) and 400 BadDeviceToken or DeviceTokenNotForTopic: the token
  will never work for this pass type again: drop that registration.
- 429 and 5xx: APNs is busy or failing: retry with backoff, then later.
- Everything else (403 certificate or provider token refused, a topic the credentials may not
  push to, a malformed request): no push of this batch can succeed until a setting is fixed,
  so the sender stops with one `ApnsRefusedError` that says which.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass

from passkit.environment import ENV_APNS_KEY_FILE, ENV_APNS_URL
from passkit.errors import ApnsRefusedError

# A push token, as the device sends it to the web service: hex, 32 bytes today (64 digits);
# Apple warns it may grow, so longer hex is accepted, within reason.
PUSH_TOKEN = re.compile(r"[0-9a-fA-F]{64,200}")
# APNs's error bodies are a few dozen bytes; anything longer is not read past this.
MAX_ANSWER_BYTES = 4096
_REASON = re.compile(r"[A-Za-z]{1,64}")


class PushOutcome(enum.Enum):
    """What became of one push token."""

    DELIVERED = "delivered"
    UNREGISTERED = "unregistered"  # 410: the pass was removed from the device
    BAD_TOKEN = "bad token"  # not a token APNs accepts for this pass type
    RETRY_LATER = "retry later"  # APNs busy, failing or unreachable: keep the push for later

    @property
    def drops_registration(self) -> bool:
        """Whether the registration holding this token should be removed."""
        return self in (PushOutcome.UNREGISTERED, PushOutcome.BAD_TOKEN)


@dataclass(frozen=True)
class PushResult:
    """The outcome of one push token, with APNs's last status and reason and the attempts made
    (0 when the token was refused without sending)."""

    token: str
    outcome: PushOutcome
    status: int | None = None
    reason: str | None = None
    attempts: int = 0


_DROP = {(400, "BadDeviceToken"), (400, "DeviceTokenNotForTopic")}


def classify(status: int, reason: str | None) -> PushOutcome | None:
    """The outcome an answer gives its token, or None when the answer refuses the request
    itself (see `refusal`)."""
    if status == 200:
        return PushOutcome.DELIVERED
    if status == 410:
        return PushOutcome.UNREGISTERED
    if (status, reason) in _DROP:
        return PushOutcome.BAD_TOKEN
    if status == 429 or status >= 500:
        return PushOutcome.RETRY_LATER
    return None


def read_reason(body: bytes) -> str | None:
    """APNs's `reason` from an answer's JSON body, if it is one: letters only, bounded, so that
    an answer can never put anything else into a message or a log."""
    if not body or len(body) > MAX_ANSWER_BYTES:
        return None
    try:
        answer = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    reason = answer.get("reason") if isinstance(answer, dict) else None
    if isinstance(reason, str) and _REASON.fullmatch(reason):
        return reason
    return None


_CERTIFICATE_FIX = (
    "push with the Pass Type ID certificate that signs this pass type's passes, on the"
    f" production endpoint (Wallet takes pass pushes from production only; {ENV_APNS_URL})"
)
_TOKEN_FIX = (
    f"check the token key ({ENV_APNS_KEY_FILE}), its key id and the team id; the key's team"
    " must own the pass type id"
)
_ADVICE = {
    "BadCertificate": _CERTIFICATE_FIX,
    "BadCertificateEnvironment": _CERTIFICATE_FIX,
    "Forbidden": _CERTIFICATE_FIX,
    "InvalidProviderToken": _TOKEN_FIX,
    "MissingProviderToken": "give a pass type certificate or a token key: APNs saw neither",
    "ExpiredProviderToken": "check this machine's clock: tokens are renewed every 50 minutes",
    "TopicDisallowed": "the topic must be the pass type id of the certificate (its UID)",
    "BadTopic": "the topic must be the pass type id of the certificate (its UID)",
    "MissingTopic": "the topic must be the pass type id of the certificate (its UID)",
}


def refusal(topic: str, status: int, reason: str | None, url: str) -> ApnsRefusedError:
    """The error that stops the sender after an answer `classify` gives no outcome for."""
    what = f"status {status}" + (f", {reason}" if reason else "")
    advice = _ADVICE.get(reason or "")
    if advice is None:
        advice = (
            "passkit made a request APNs does not accept; please report it with this message"
            if status in (400, 404, 405, 413)
            else "see Apple's list of APNs answers for this reason"
        )
    return ApnsRefusedError(
        f"APNs ({url}) refused pushes for pass type '{topic}' ({what}): {advice}",
        topic=topic,
        status=status,
        reason=reason,
    )
