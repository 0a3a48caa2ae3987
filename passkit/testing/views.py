"""What a test reads from a pass, the same for an Apple bundle and a Google save link.

A field is a key, a label, a value and the group it sits in; a barcode is a format, a message
and an alternative text. The wallet's own JSON stays available as `raw`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from passkit.apple_rules import BARCODE_FORMATS as APPLE_BARCODE_FORMATS
from passkit.errors import BundleError
from passkit.languages import lookup_language

# Wallet vocabulary -> the format names of `passkit.model.BarcodeFormat`.
BARCODE_FORMATS = {
    **{apple: ours for ours, apple in APPLE_BARCODE_FORMATS.items()},
    "QR_CODE": "qr",
    "PDF_417": "pdf417",
    "AZTEC": "aztec",
    "CODE_128": "code128",
}


class FieldNotFound(BundleError, LookupError):
    """A field asked for by key is not on the pass; the message lists those that are."""


@dataclass(frozen=True)
class FieldView:
    """One field of a pass: where it is, what it says, and its translations."""

    key: str
    value: Any
    label: str | None
    group: str
    raw: Mapping[str, Any] = field(repr=False)
    label_translations: Mapping[str, str] = field(default_factory=dict, repr=False)
    value_translations: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def localized_label(self, language: str) -> str | None:
        """The label as shown to someone reading `language` (the label itself if untranslated)."""
        found = lookup_language(self.label_translations, language)
        return self.label if found is None else str(found)

    def localized_value(self, language: str) -> Any:
        found = lookup_language(self.value_translations, language)
        return self.value if found is None else found

    def __str__(self) -> str:
        label = f"{self.label}: " if self.label else ""
        return f"{self.group}/{self.key} = {label}{self.value}"


@dataclass(frozen=True)
class BarcodeView:
    format: str
    message: str
    alt_text: str | None
    encoding: str | None
    raw: Mapping[str, Any] = field(repr=False)


def describe_fields(fields: list[FieldView]) -> str:
    """A short list of the fields present, for messages about a field that is not."""
    if not fields:
        return "the pass has no fields"
    return "fields present: " + ", ".join(f"{f.key} ({f.group})" for f in fields)


def find_field(fields: list[FieldView], key: str, where: str) -> FieldView:
    for candidate in fields:
        if candidate.key == key:
            return candidate
    raise FieldNotFound(f"{where}: no field with key {key!r}; {describe_fields(fields)}")


def count(number: int, noun: str) -> str:
    """ "1 problem", "2 problems"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"
