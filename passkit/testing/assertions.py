"""One-line assertions on bundles and save links, failing with messages a person can act on.

    assert_field(bundle, "points", 120, label="Points", group="primary")
    assert_barcode(bundle, "M-1001", format="qr")
    assert_valid(bundle, ca=root)

A failure says which field (or barcode) of which pass, what was expected and what is there,
and for a missing field which fields exist. Values compare the way a test author means them:
120 equals 120.0 and "120" read as a number, a datetime equals the same instant written in
ISO 8601, `Money("25.50", "EUR")` equals an Apple currency field of 25.5 in EUR.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from passkit.errors import PasskitError
from passkit.testing.certificates import CaSource
from passkit.testing.google_views import GoogleObjectView
from passkit.testing.pkpass import Bundle, open_pkpass
from passkit.testing.savelink import SaveLinkView
from passkit.testing.views import BarcodeView, FieldNotFound, FieldView, count, describe_fields

Subject = Bundle | SaveLinkView | GoogleObjectView


class PassAssertionError(PasskitError, AssertionError):
    """An assertion about a pass failed; pytest shows it like a failed assert."""


_UNSET: Any = object()


def assert_field(
    subject: Subject,
    key: str,
    expected: Any = _UNSET,
    *,
    label: str | None = None,
    group: str | None = None,
    lang: str | None = None,
) -> FieldView:
    """Assert that the field `key` exists and has the expected value (label, group).

    With `lang`, the value and label are compared as shown in that language. Returns the field,
    for further checks.
    """
    __tracebackhide__ = True
    where = _describe(subject)
    try:
        found = subject.field(key)
    except FieldNotFound as exc:
        raise PassAssertionError(
            f"{where}: no field {key!r}\n  {_fields_hint(subject, exc)}"
        ) from None
    actual_value = found.localized_value(lang) if lang else found.value
    actual_label = found.localized_label(lang) if lang else found.label
    mismatches: list[str] = []
    if expected is not _UNSET and not values_equal(expected, actual_value, found):
        mismatches.append(f"value: expected {_show(expected)}, got {_show(actual_value)}")
    if label is not None and label != actual_label:
        mismatches.append(f"label: expected {label!r}, got {actual_label!r}")
    if group is not None and group != found.group:
        mismatches.append(f"group: expected {group!r}, got {found.group!r}")
    if mismatches:
        in_lang = f" in {lang!r}" if lang else ""
        context = f"(group {found.group!r}, label {actual_label!r}{in_lang})"
        raise PassAssertionError(
            f"{where}: field {key!r} {context}\n" + "\n".join(f"  {m}" for m in mismatches)
        )
    return found


def assert_barcode(
    subject: Subject,
    message: str | None = None,
    *,
    format: str | None = None,
    alt_text: str | None = None,
    encoding: str | None = None,
) -> BarcodeView:
    """Assert the pass shows a barcode, with the given message, format, alt text and encoding.

    Formats are passkit's names: qr, pdf417, aztec, code128 (the wallet's names work too).
    """
    __tracebackhide__ = True
    where = _describe(subject)
    barcode = subject.barcode
    if barcode is None:
        raise PassAssertionError(f"{where}: has no barcode")
    mismatches = []
    if message is not None and message != barcode.message:
        mismatches.append(f"message: expected {message!r}, got {barcode.message!r}")
    if format is not None and format not in (
        barcode.format,
        barcode.raw.get("format"),
        barcode.raw.get("type"),
    ):
        mismatches.append(f"format: expected {format!r}, got {barcode.format!r}")
    if alt_text is not None and alt_text != barcode.alt_text:
        mismatches.append(f"alt text: expected {alt_text!r}, got {barcode.alt_text!r}")
    if encoding is not None and (barcode.encoding or "").lower() != encoding.lower():
        mismatches.append(f"encoding: expected {encoding!r}, got {barcode.encoding!r}")
    if mismatches:
        raise PassAssertionError(f"{where}: barcode\n" + "\n".join(f"  {m}" for m in mismatches))
    return barcode


def assert_valid(
    subject: Bundle | SaveLinkView | bytes | str | Path,
    ca: CaSource | None = None,
    *,
    now: datetime | None = None,
) -> None:
    """Assert a bundle verifies (against `ca`), or a save link was verified and is well formed."""
    __tracebackhide__ = True
    if isinstance(subject, SaveLinkView):
        problems = subject.problems()
        where = _describe(subject)
    else:
        bundle = subject if isinstance(subject, Bundle) else open_pkpass(subject)
        problems = bundle.verify(ca, now=now)
        where = _describe(bundle)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise PassAssertionError(
            f"{where} is not valid ({count(len(problems), 'problem')}):\n{listing}"
        )


# -- comparing values ------------------------------------------------------------------------


def values_equal(expected: Any, actual: Any, found: FieldView | None = None) -> bool:
    """Whether `actual` (as read from a wallet's JSON) shows the value `expected` means."""
    from passkit.model.fields import Money

    if isinstance(expected, Money):
        return _money_equal(expected, actual, found)
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    if isinstance(expected, datetime):
        moment = _as_datetime(actual)
        if moment is None:
            return False
        if (expected.tzinfo is None) != (moment.tzinfo is None):
            return expected.replace(tzinfo=None) == moment.replace(tzinfo=None)
        return expected == moment
    if isinstance(expected, date):
        moment = _as_datetime(actual)
        return moment is not None and moment.date() == expected
    if isinstance(expected, int | float | Decimal):
        number = _as_decimal(actual)
        return number is not None and number == _as_decimal(expected)
    if isinstance(expected, str) and isinstance(actual, int | float | Decimal):
        return expected == str(actual)
    return bool(expected == actual)


def _money_equal(expected: Any, actual: Any, found: FieldView | None) -> bool:
    from passkit.model.fields import Money

    if isinstance(actual, Money):
        return bool(actual.amount == expected.amount and actual.currency == expected.currency)
    currency = found.raw.get("currencyCode") if found is not None else None
    number = _as_decimal(actual)
    return number is not None and number == expected.amount and currency == expected.currency


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _show(value: Any) -> str:
    from passkit.model.fields import Money

    if isinstance(value, Money):
        return f"{value.amount} {value.currency}"
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)


def _describe(subject: Any) -> str:
    if isinstance(subject, Bundle):
        return f"pass {subject.serial_number!r} ({subject.source})"
    if isinstance(subject, SaveLinkView):
        ids = ", ".join(str(o.id) for o in subject.all_objects)
        return f"save link of {ids or 'no object'}"
    if isinstance(subject, GoogleObjectView):
        return f"Google {subject.kind} object {subject.id}"
    return repr(subject)


def _fields_hint(subject: Subject, error: FieldNotFound) -> str:
    try:
        fields = subject.fields
    except PasskitError:
        fields = []
    # Without fields to list (a skinny link, several objects), the lookup's own reason is best.
    return describe_fields(fields) if fields else str(error)
