"""The fields of `pass.json`: each group of a pass's style, with Apple's field rules checked.

- `links` and `messages` become back fields after the pass's own back fields. A link keeps its
  key or gets `link-1`, `link-2`... (by position); a message keeps its key and gets
  `changeMessage: "%@"`, so that an update of its text notifies the holder.
- A date value without date or time style is shown with a medium date and a short time;
  Apple treats a field as a date only when a style is present, and wants both or neither.
"""

from __future__ import annotations

import html
from datetime import datetime
from decimal import Decimal
from typing import Any

from passkit.apple.jsonbytes import w3c_datetime
from passkit.apple.styles import FIELD_LIMITS, SQUARE_BARCODES, TRANSIT_TYPES, describe_kind
from passkit.apple_rules import rule
from passkit.errors import WalletRuleError
from passkit.model.choices import Alignment, DateStyle, LinkKind, NumberStyle
from passkit.model.fields import Money, PassField
from passkit.model.parts import Link, Message
from passkit.model.pass_ import Pass

GROUP_KEYS: dict[str, str] = {
    "header": "headerFields",
    "primary": "primaryFields",
    "secondary": "secondaryFields",
    "auxiliary": "auxiliaryFields",
    "back": "backFields",
}

DATE_STYLES: dict[DateStyle, str] = {
    DateStyle.NONE: "PKDateStyleNone",
    DateStyle.SHORT: "PKDateStyleShort",
    DateStyle.MEDIUM: "PKDateStyleMedium",
    DateStyle.LONG: "PKDateStyleLong",
    DateStyle.FULL: "PKDateStyleFull",
}

NUMBER_STYLES: dict[NumberStyle, str] = {
    NumberStyle.DECIMAL: "PKNumberStyleDecimal",
    NumberStyle.PERCENT: "PKNumberStylePercent",
    NumberStyle.SCIENTIFIC: "PKNumberStyleScientific",
    NumberStyle.SPELL_OUT: "PKNumberStyleSpellOut",
}

ALIGNMENTS: dict[Alignment, str] = {
    Alignment.LEFT: "PKTextAlignmentLeft",
    Alignment.CENTER: "PKTextAlignmentCenter",
    Alignment.RIGHT: "PKTextAlignmentRight",
    Alignment.NATURAL: "PKTextAlignmentNatural",
}

DATA_DETECTORS: dict[LinkKind, str] = {
    LinkKind.WEB: "PKDataDetectorTypeLink",
    LinkKind.EMAIL: "PKDataDetectorTypeLink",
    LinkKind.PHONE: "PKDataDetectorTypePhoneNumber",
    LinkKind.ADDRESS: "PKDataDetectorTypeAddress",
}

DEFAULT_DATE_STYLE = "PKDateStyleMedium"
DEFAULT_TIME_STYLE = "PKDateStyleShort"


def _date_only(field: dict[str, Any]) -> bool:
    return bool(field["timeStyle"] == _NO_STYLE and field["dateStyle"] != _NO_STYLE)


_NO_STYLE = DATE_STYLES[DateStyle.NONE]


def field_groups(p: Pass, style: str) -> dict[str, Any]:
    """The style's dictionary: its field groups (links and messages among the back fields)
    and, for a boarding pass, the transit type; raises WalletRuleError as Apple would refuse."""
    _check_field_counts(p, style)
    structure: dict[str, Any] = {}
    for group, key in GROUP_KEYS.items():
        fields = [_field(field, group, index) for index, field in enumerate(getattr(p, group))]
        if group == "back":
            fields.extend(_extra_back_fields(p))
        if fields:
            structure[key] = fields
    if style == "boardingPass":
        assert p.transit_type is not None  # the model defaults it for boarding passes
        structure["transitType"] = TRANSIT_TYPES[p.transit_type]
    return structure


def _check_field_counts(p: Pass, style: str) -> None:
    limits = FIELD_LIMITS[style]
    kind = describe_kind(p.kind)
    for group in ("header", "primary", "secondary", "auxiliary"):
        limit: int = getattr(limits, group)
        count = len(getattr(p, group))
        if count > limit:
            raise rule("apple.fields.count").error(
                where=group,
                kind=kind,
                limit=limit,
                group=group,
                plural="s" if limit != 1 else "",
                count=count,
            )
    combined = limits.combined_with_square_barcode
    if (
        combined is not None
        and p.barcode is not None
        and p.barcode.format in SQUARE_BARCODES
        and len(p.secondary) + len(p.auxiliary) > combined
    ):
        raise rule("apple.fields.square-barcode").error(
            where="secondary/auxiliary",
            kind=kind,
            barcode=p.barcode.format.value,
            limit=combined,
            count=f"{len(p.secondary)} + {len(p.auxiliary)}",
        )


def _field(field: PassField, group: str, index: int) -> dict[str, Any]:
    where = _where(field, group, index)
    _check_formatting(field, where)
    out: dict[str, Any] = {"key": field.key}
    if field.label is not None:
        out["label"] = field.label
    value = field.value
    if isinstance(value, Money):
        if field.currency is not None and field.currency != value.currency:
            raise WalletRuleError(
                f"{where}: the value is in {value.currency} but the field's currency is "
                f"{field.currency}; keep one of them"
            )
        out["value"] = value.amount
        out["currencyCode"] = value.currency
    elif isinstance(value, datetime):
        out["value"] = w3c_datetime(value)
        _date_keys(field, out)
    else:
        out["value"] = value
    if field.currency is not None:
        out["currencyCode"] = field.currency
    if field.number_style is not None:
        if "currencyCode" in out:
            raise WalletRuleError(
                f"{where}: a money value is formatted by its currency; "
                "remove number_style (or give a plain number)"
            )
        out["numberStyle"] = NUMBER_STYLES[field.number_style]
    _display_keys(field, group, where, out)
    return out


def _check_formatting(field: PassField, where: str) -> None:
    """Date styles go with dates, number styles and currencies with numbers."""
    value = field.value
    if not isinstance(value, datetime) and (
        field.date_style is not None
        or field.time_style is not None
        or field.relative
        or field.ignores_time_zone
    ):
        raise WalletRuleError(
            f"{where}: date and time styles apply to date values, and this value is "
            f"{_describe_value(value)}; remove the date formatting or give a date"
        )
    if (field.number_style is not None or field.currency is not None) and not isinstance(
        value, _NUMBERS
    ):
        raise WalletRuleError(
            f"{where}: number style and currency apply to numbers, and this value is "
            f"{_describe_value(value)}; remove them or give a number"
        )


def _date_keys(field: PassField, out: dict[str, Any]) -> None:
    if field.date_style is None and field.time_style is None:
        out["dateStyle"] = DEFAULT_DATE_STYLE
        out["timeStyle"] = DEFAULT_TIME_STYLE
    else:
        out["dateStyle"] = DATE_STYLES[field.date_style or DateStyle.NONE]
        out["timeStyle"] = DATE_STYLES[field.time_style or DateStyle.NONE]
    if field.relative:
        out["isRelative"] = True
    if field.ignores_time_zone or _date_only(out):
        # A date shown without its time is the date in the pass's own time zone, as Google
        # Wallet and the preview show it: not a day earlier or later on a device elsewhere.
        out["ignoresTimeZone"] = True


def _display_keys(field: PassField, group: str, where: str, out: dict[str, Any]) -> None:
    """Alignment, change message and link, each allowed only where Apple allows it."""
    if field.alignment is not None:
        if group in ("primary", "back"):
            raise rule("apple.field.alignment").error(where=where, group=group)
        out["textAlignment"] = ALIGNMENTS[field.alignment]
    if field.change_message is not None:
        message = field.change_message
        if "%@" not in message:
            raise rule("apple.field.change-message").error(where=where, message=message)
        out["changeMessage"] = message
    if field.link is not None:
        if group != "back":
            raise rule("apple.field.link-on-back").error(where=where)
        out["dataDetectorTypes"] = [DATA_DETECTORS[field.link]]


_NUMBERS = (int, Decimal, Money)


def _where(field: PassField, group: str, index: int) -> str:
    return f"{group}[{index}] (key {field.key!r})"


def _describe_value(value: object) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:30] + "..."
        return f"the text {shown!r}"
    return f"a {type(value).__name__}"


def _extra_back_fields(p: Pass) -> list[dict[str, Any]]:
    """Back fields for the pass's links and messages, with keys unique across the pass."""
    if not p.links and not p.messages:
        return []
    taken = {field.key: group for group in GROUP_KEYS for field in getattr(p, group)}
    extra: list[dict[str, Any]] = []
    for index, link in enumerate(p.links):
        key = link.key or _free_key(f"link-{index + 1}", taken)
        _claim(key, f"links[{index}]", taken)
        extra.append(_link_field(link, key))
    for index, message in enumerate(p.messages):
        _claim(message.key, f"messages[{index}]", taken)
        extra.append(_message_field(message))
    return extra


def _free_key(wanted: str, taken: dict[str, str]) -> str:
    key, suffix = wanted, 1
    while key in taken:
        suffix += 1
        key = f"{wanted}-{suffix}"
    return key


def _claim(key: str, owner: str, taken: dict[str, str]) -> None:
    if key in taken:
        raise rule("apple.fields.unique-key").error(where=f"{owner}.key", key=key, other=taken[key])
    taken[key] = owner


def _link_field(link: Link, key: str) -> dict[str, Any]:
    uri = link.uri
    out: dict[str, Any] = {"key": key}
    if link.label is not None:
        out["label"] = link.label
    if link.kind is LinkKind.EMAIL and uri.lower().startswith("mailto:"):
        uri = uri[len("mailto:") :]
    elif link.kind is LinkKind.PHONE and uri.lower().startswith("tel:"):
        uri = uri[len("tel:") :]
    if link.kind is LinkKind.ADDRESS and uri.lower().startswith("geo:"):
        # A geo: URI is coordinates, not an address a data detector recognises: link it to
        # Apple Maps through attributedValue (Wallet supports <a href> there).
        latitude, _, rest = uri[len("geo:") :].partition(",")
        longitude = rest.split(",")[0].split(";")[0]
        text = f"{latitude}, {longitude}"
        href = f"https://maps.apple.com/?ll={latitude},{longitude}"
        out["value"] = text
        out["attributedValue"] = (
            f'<a href="{html.escape(href, quote=True)}">{html.escape(text, quote=False)}</a>'
        )
    else:
        out["value"] = uri
    out["dataDetectorTypes"] = [DATA_DETECTORS[link.kind]]
    return out


def _message_field(message: Message) -> dict[str, Any]:
    return {
        "key": message.key,
        "label": message.header,
        "value": message.body,
        "changeMessage": "%@",
    }
