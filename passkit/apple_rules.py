"""Apple Wallet's rules for a pass, each named once, with its limit, its message and its fix.

The one table of the rules a pass can break. The builders (`passkit.model`,
`passkit.apple.passjson`, `passkit.apple.bundle`) raise `rule.error(...)`, a `WalletRuleError`
carrying the rule's name and fix; the independent check of a bundle as read
(`passkit.testing.rules`, behind `Bundle.verify` and `passkit verify`) reports `rule.problem(...)`,
naming the same rule. A new rule is a new entry here, raised by the builder and checked by the
verifier; `tests/apple/test_rules.py` makes every entry break both.

This module sits below the model (it imports nothing of passkit but the errors), so that the
model's own validators can use it. What each style shows and allows (field counts, images)
stays in `passkit.apple.styles`, written once there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from passkit.errors import WalletRuleError

#: "Wallet uses at most ten locations" and "at most ten iBeacons" (PassKit Package Format).
MAX_LOCATIONS = 10
MAX_BEACONS = 10
#: Apple's barcode formats, by passkit's names for them (the values of `model.BarcodeFormat`).
BARCODE_FORMATS: dict[str, str] = {
    "qr": "PKBarcodeFormatQR",
    "pdf417": "PKBarcodeFormatPDF417",
    "aztec": "PKBarcodeFormatAztec",
    "code128": "PKBarcodeFormatCode128",
}
#: The square ones, which leave less room for fields on some styles.
SQUARE_BARCODE_FORMATS = (BARCODE_FORMATS["qr"], BARCODE_FORMATS["aztec"])


@dataclass(frozen=True)
class Rule:
    """One rule of Apple Wallet: `message` and `fix` are templates filled by the place that
    checks it (`where` names the field or file at fault); `fix` says what to do."""

    name: str
    message: str
    fix: str

    def text(self, **values: Any) -> str:
        return f"{self.message.format(**values)}; {self.fix.format(**values)}"

    def error(self, **values: Any) -> WalletRuleError:
        """The error a builder raises: the message and the fix, carrying the rule's name."""
        fix = self.fix.format(**values)
        return WalletRuleError(self.text(**values), rule=self.name, fix=fix)

    def problem(self, *, file: str | None = "pass.json", **values: Any) -> str:
        """The line a verifier reports about a bundle as read (by default, about its
        pass.json), naming the rule."""
        prefix = f"{file}: " if file else ""
        return f"{prefix}{self.text(**values)} [{self.name}]"


def _table(*rules: Rule) -> dict[str, Rule]:
    return {rule.name: rule for rule in rules}


RULES: dict[str, Rule] = _table(
    Rule(
        "apple.locations.max",
        f"{{where}}: at most {MAX_LOCATIONS} locations are allowed, got {{count}}",
        "keep the ones nearest to where the pass is used",
    ),
    Rule(
        "apple.beacons.max",
        f"{{where}}: at most {MAX_BEACONS} iBeacons are allowed, got {{count}}",
        "remove some",
    ),
    Rule(
        "apple.fields.count",
        "{where}: {kind} shows at most {limit} {group} field{plural}, got {count}",
        "Wallet would not show the others: move them to the back fields",
    ),
    Rule(
        "apple.fields.square-barcode",
        "{where}: {kind} with a square barcode ({barcode}) shows at most {limit} secondary "
        "and auxiliary fields together, got {count}",
        "move some to the back fields, or use a PDF417 or Code 128 barcode",
    ),
    Rule(
        "apple.fields.unique-key",
        "{where}: the field key {key!r} is already used in {other}",
        "every field key of a pass must be unique, links and messages included",
    ),
    Rule(
        "apple.field.alignment",
        "{where}: Apple Wallet does not allow an alignment on {group} fields",
        "remove alignment",
    ),
    Rule(
        "apple.field.link-on-back",
        "{where}: Apple Wallet makes links only of back fields",
        "move the field to the back or remove link",
    ),
    Rule(
        "apple.field.change-message",
        "{where}: change_message must contain %@, which Wallet replaces with the new value, "
        "and got {message!r}",
        "write it like 'Your balance is now %@'",
    ),
    Rule(
        "apple.barcode.encoding",
        "{where}: {encoding!r} is not a known text encoding",
        "use iso-8859-1 or utf-8",
    ),
    Rule(
        "apple.barcode.encodable",
        "{where}: {text!r} cannot be encoded in {encoding}",
        "set barcode.encoding to utf-8 or remove the character",
    ),
    Rule(
        "apple.barcode.code128-ascii",
        "{where}: Code 128 holds only ASCII characters",
        "use a QR, PDF417 or Aztec barcode for other text",
    ),
    Rule(
        "apple.images.icon",
        "{where}: Apple Wallet needs an icon, shown on the lock screen and in notifications",
        "add images.icon (icon.png in a bundle): a square image, at least 87 x 87 pixels",
    ),
    Rule(
        "apple.images.role",
        "{where}: Apple Wallet does not show a {role} image on {kind}, which shows only "
        "{shown} images",
        "remove {where} or choose a kind of pass that shows it",
    ),
    Rule(
        "apple.images.strip-alone",
        "{where}: an Apple event ticket with a strip image cannot also show a {other} image",
        "remove the strip or the {other}",
    ),
    Rule(
        "apple.grouping.style",
        "{where}: Apple Wallet groups only event tickets and boarding passes, and this is {kind}",
        "remove {where}",
    ),
    Rule(
        "apple.nfc.public-key",
        "{where}: Apple Wallet needs the public key of the NFC reader (Value Added Services: "
        "a Base64 X.509 SubjectPublicKeyInfo of a P-256 ECDH key)",
        "add it, or remove nfc",
    ),
)


def rule(name: str) -> Rule:
    """The rule of that name (a KeyError names a rule missing from the table)."""
    return RULES[name]
