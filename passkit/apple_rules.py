"""Apple Wallet's rules for a pass, each named once, with its limit, its message and its fix.

The one table of the rules a pass can break. The builders (`passkit.apple.passjson`,
`passfields`, `bundle`) raise `rule.error(...)`, a `WalletRuleError` carrying the rule's name
and fix; the model's validators raise it too, or `rule.broken(...)` where pydantic is to add
the field's path (the model turns that into the same WalletRuleError), and a limit pydantic
checks itself is named in the model's `field_rules`; the independent check of a bundle as read
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
#: Degrees north or south, and east or west, of a location.
MAX_LATITUDE = 90
MAX_LONGITUDE = 180
#: A beacon's major and minor numbers are 16-bit unsigned integers.
MAX_BEACON_NUMBER = 65535
#: "The authentication token must be 16 characters or longer" (PassKit Package Format).
MIN_TOKEN_LENGTH = 16
#: The payload an NFC reader receives: "must be 64 bytes or less".
MAX_NFC_MESSAGE_BYTES = 64
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
    checks it (`where` names the field or file at fault); `fix` says what to do.

    A message that does not place `{where}` itself is preceded by it, when given: the model's
    validators raise such rules (`broken`) without knowing where the part sits in the pass,
    and pydantic adds the field path."""

    name: str
    message: str
    fix: str

    def text(self, **values: Any) -> str:
        message = self.message.format(**values)
        if "{where}" not in self.message and values.get("where"):
            message = f"{values['where']}: {message}"
        return f"{message}; {self.fix.format(**values)}"

    def broken(self, **values: Any) -> RuleBroken:
        """What a model's validator raises: pydantic reports it at the field's path, and the
        model turns it into this rule's WalletRuleError."""
        return RuleBroken(self, values)

    def error(self, **values: Any) -> WalletRuleError:
        """The error a builder raises: the message and the fix, carrying the rule's name."""
        fix = self.fix.format(**values)
        return WalletRuleError(self.text(**values), rule=self.name, fix=fix)

    def problem(self, *, file: str | None = "pass.json", **values: Any) -> str:
        """The line a verifier reports about a bundle as read (by default, about its
        pass.json), naming the rule."""
        prefix = f"{file}: " if file else ""
        return f"{prefix}{self.text(**values)} [{self.name}]"


class RuleBroken(ValueError):
    """A rule broken inside a validator of `passkit.model` (a ValueError, so that pydantic
    records the field path), carrying the rule and the values of its message."""

    def __init__(self, rule: Rule, values: dict[str, Any]) -> None:
        super().__init__(rule.text(**values))
        self.rule = rule
        self.values = values
        self.fix = rule.fix.format(**values)


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
    Rule(
        "apple.nfc.message",
        "{problem}",
        f"give a message of 1 to {MAX_NFC_MESSAGE_BYTES} bytes (in UTF-8): the payload the "
        "NFC reader receives",
    ),
    Rule(
        "apple.location.coordinates",
        "{problem}",
        f"a latitude is from -{MAX_LATITUDE} to {MAX_LATITUDE} degrees and a longitude from "
        f"-{MAX_LONGITUDE} to {MAX_LONGITUDE}",
    ),
    Rule(
        "apple.beacon.uuid",
        "{problem}",
        "use the form E2C56DB5-DFFB-48D2-B060-D0F5A71096E0",
    ),
    Rule(
        "apple.beacon.numbers",
        "{problem}",
        f"a beacon's major and minor numbers are whole numbers from 0 to {MAX_BEACON_NUMBER}",
    ),
    Rule(
        "apple.beacon.minor-needs-major",
        "a beacon with a minor number needs a major number too",
        "add major, or remove minor",
    ),
    Rule(
        "apple.web-service.url",
        "{url!r} is not a web address",
        "give the service's https:// URL",
    ),
    Rule(
        "apple.web-service.https",
        "{url!r} is http://, which sends the authentication token unencrypted: use https://",
        "plain http:// is only for a service on this machine, such as http://127.0.0.1:8000/, "
        "in development",
    ),
    Rule(
        "apple.web-service.token",
        "{problem}",
        f"Apple Wallet needs at least {MIN_TOKEN_LENGTH}: use a random secret of "
        f"{MIN_TOKEN_LENGTH} characters or more for each pass",
    ),
    Rule(
        "apple.pass.required-text",
        "{problem}",
        "Apple Wallet needs a serial number (at most 256 characters), an organisation name and "
        "a description, none of them empty",
    ),
    Rule(
        "apple.color.form",
        "{problem}",
        "Apple Wallet's pass.json holds each colour as rgb(r, g, b), every channel from 0 to 255",
    ),
    Rule(
        "apple.date.time-zone",
        "{problem}",
        "give each date with its time zone, as in 2026-12-01T09:00:00+01:00",
    ),
    Rule(
        "apple.field.value",
        "{problem}",
        "Apple Wallet shows text and numbers (dates and money written as text) as field values",
    ),
    Rule(
        "apple.field.currency",
        "{code!r} is not an ISO 4217 currency code",
        "use one such as EUR, USD or JPY",
    ),
    Rule(
        "apple.barcode.message",
        "{problem}",
        "give the barcode a message: the text it encodes",
    ),
)


def rule(name: str) -> Rule:
    """The rule of that name (a KeyError names a rule missing from the table)."""
    return RULES[name]
