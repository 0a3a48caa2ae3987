"""`DesignWarning`: one thing that will look wrong in a wallet, the codes that name each kind,
and the wallets' names as warnings give them (`passkit.preview.warnings` finds them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Wallet = Literal["apple", "google", "both"]

TRUNCATED = "truncated"
TOO_MANY_FIELDS = "too-many-fields"
MISSING_IMAGE = "missing-image"
IMAGE_NOT_SHOWN = "image-not-shown"
IMAGE_ASPECT = "image-aspect"
LOW_CONTRAST = "low-contrast"
BARCODE_TOO_LONG = "barcode-too-long"
ONE_WALLET_ONLY = "one-wallet-only"
GOOGLE_RULE = "google-rule"  # Google Wallet cannot make the pass at all
GOOGLE_NOTICE = "google-notice"  # something the Google compiler left out or changed
MISSING_FONT = "missing-font"  # the preview lacks the font of a script the pass uses

WALLET_NAMES = {"apple": "Apple Wallet", "google": "Google Wallet", "both": "both wallets"}


@dataclass(frozen=True)
class DesignWarning:
    """One thing that will look wrong: a code to filter on, a message to act on, where it is
    (a field path such as ``secondary[1].value``) and which wallet shows the problem."""

    code: str
    message: str
    where: str
    wallet: Wallet
    #: The rule of `passkit.apple_rules.RULES` behind the warning, where it is one: the Apple
    #: bundle then cannot be built until the warning is dealt with.
    rule: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message} [{WALLET_NAMES[self.wallet]}]"


def sort_key(warning: DesignWarning) -> tuple[str, str, str]:
    return (warning.wallet, warning.code, warning.where)


def summarize(warnings: Iterable[DesignWarning]) -> list[str]:
    """One line per warning, as the command line and the image's margin show them."""
    return [str(w) for w in warnings]
