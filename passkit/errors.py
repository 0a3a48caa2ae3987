"""One exception tree for everything a caller can get wrong.

Every message is meant to be read by a person: it names the file, field or record at fault
and says what to do about it. The command line prints the message alone, without a traceback.
"""

from __future__ import annotations


class PasskitError(Exception):
    """Base of every error passkit raises on purpose."""


class LayoutError(PasskitError):
    """A layout file is wrong: names the file, the line and the field path."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.detail = message
        where = ""
        if file:
            where = file + (f":{line}" if line else "")
        if field:
            where = f"{where}: {field}" if where else field
        super().__init__(f"{where}: {message}" if where else message)


class DataError(PasskitError):
    """A record (the per-pass data) is wrong: names the input and the record."""

    def __init__(
        self, message: str, *, record: str | None = None, input: str | None = None
    ) -> None:
        self.record = record
        self.input = input
        self.detail = message
        parts = [p for p in (record, f"input '{input}'" if input else None) if p]
        super().__init__(f"{', '.join(parts)}: {message}" if parts else message)


class ImageError(PasskitError):
    """An image cannot be read or does not suit the place it is used."""


class SigningError(PasskitError):
    """Certificates, keys or signatures are unusable: says which and what to do."""


class WalletRuleError(PasskitError):
    """A rule of Apple Wallet or Google Wallet is broken: names the field and the rule.

    `rule` is the rule's name in `passkit.apple_rules.RULES` (such as `apple.locations.max`)
    and `fix` what to do, when the rule is one of that table."""

    def __init__(self, message: str, *, rule: str | None = None, fix: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.fix = fix


def rule_behind(error: BaseException) -> str | None:
    """The name of the Apple rule (`passkit.apple_rules`) behind `error`: its own, or that of
    the WalletRuleError it was raised while handling. A layout turns the model's refusal of a
    part into a LayoutError or DataError naming the layout's file and line; the rule stays on
    the refusal, which Python keeps as the new error's `__context__`."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, WalletRuleError) and current.rule:
            return current.rule
        seen.add(id(current))
        current = current.__context__
    return None


class BundleError(PasskitError):
    """A pass bundle or save link being read is malformed or unsafe."""


class SignatureMismatch(BundleError):
    """A signature was checked and does not match the key it was checked with: the file is
    readable, but signed by someone else (or changed since)."""


class GoogleApiError(PasskitError):
    """The Google Wallet REST API answered with an error (`status` None: no answer at all);
    `reason` is Google's reason for it when given, e.g. ``quotaExceeded``."""

    def __init__(
        self, message: str, *, status: int | None = None, reason: str | None = None
    ) -> None:
        self.status = status
        self.reason = reason
        super().__init__(message)


class ApnsRefusedError(PasskitError):
    """APNs refused the sender's credentials, topic or requests (or the connection to it could
    not be trusted): no push can succeed until the setting it names is fixed, so the sender
    stops instead of retrying. Names the topic, the status and APNs's reason."""

    def __init__(
        self,
        message: str,
        *,
        topic: str | None = None,
        status: int | None = None,
        reason: str | None = None,
    ) -> None:
        self.topic = topic
        self.status = status
        self.reason = reason
        super().__init__(message)
