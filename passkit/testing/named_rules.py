"""The named rules of `passkit.apple_rules`, checked again on a pass.json as read.

A reading independent of the compiler: it looks only at the JSON Wallet reads, but takes the
rules' names, limits and messages from the same table the builders raise from, so a problem
here names the rule a builder would have named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from passkit.apple.styles import (
    FIELD_LIMITS,
    GROUPING_STYLES,
    STYLE_IMAGES,
    STYLE_NAMES,
    list_words,
)
from passkit.apple_rules import (
    BARCODE_FORMATS,
    MAX_BEACONS,
    MAX_LOCATIONS,
    MAX_NFC_MESSAGE_BYTES,
    SQUARE_BARCODE_FORMATS,
    rule,
)
from passkit.currency import currency_breach

# Every image role of every style, and a bundle's file of one: logo.png, fr.lproj/strip@2x.png.
ROLES = frozenset(role for roles in STYLE_IMAGES.values() for role in roles)
_IMAGE = re.compile(r"^(?:[^/]+\.lproj/)?([a-z]+)(?:@[23]x)?\.png$")
FRONT_GROUPS = ("header", "primary", "secondary", "auxiliary")
ALL_GROUPS = (*FRONT_GROUPS, "back")


def check_named_rules(pass_json: Mapping[str, Any], style: str | None) -> list[str]:
    """Every named rule the pass.json breaks (`style` is its one style key, if it has one)."""
    problems = _count_problems(pass_json)
    problems += _barcode_problems(pass_json)
    if "nfc" in pass_json:
        problems += _nfc_problems(pass_json["nfc"])
    if style is None or not isinstance(pass_json[style], Mapping):
        return problems
    kind = f"an Apple {STYLE_NAMES[style]}"
    if "groupingIdentifier" in pass_json and style not in GROUPING_STYLES:
        problems.append(rule("apple.grouping.style").problem(where="groupingIdentifier", kind=kind))
    problems += _field_count_problems(pass_json, style, kind)
    for group, path, field in _fields(pass_json[style], style):
        problems += _field_problems(group, path, field)
    return problems


def check_image_rules(names: Iterable[str], style: str | None) -> list[str]:
    """The named rules broken by the images of a bundle (`names`: its file names)."""
    if style is None:
        return []
    shown = STYLE_IMAGES[style]
    roles: dict[str, str] = {}
    for name in sorted(names):
        match = _IMAGE.match(name)
        if match and match[1] in ROLES:
            roles.setdefault(match[1], name)
    problems = [
        rule("apple.images.role").problem(
            file=None,
            where=name,
            role=role,
            kind=f"an Apple {STYLE_NAMES[style]}",
            shown=list_words(list(shown)),
        )
        for role, name in roles.items()
        if role not in shown
    ]
    if style == "eventTicket" and "strip" in roles:
        problems += [
            rule("apple.images.strip-alone").problem(file=None, where=roles["strip"], other=other)
            for other in ("background", "thumbnail")
            if other in roles
        ]
    return problems


def _count_problems(pass_json: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for key, limit in (("locations", MAX_LOCATIONS), ("beacons", MAX_BEACONS)):
        items = pass_json.get(key, [])
        if isinstance(items, list | tuple) and len(items) > limit:
            problems.append(rule(f"apple.{key}.max").problem(where=key, count=len(items)))
    return problems


def _nfc_problems(nfc: Any) -> list[str]:
    problems: list[str] = []
    message = _get(nfc, "message")
    size = len(message.encode("utf-8")) if isinstance(message, str) else 0
    if not 0 < size <= MAX_NFC_MESSAGE_BYTES:
        problem = f"nfc.message holds {size} bytes"
        problems.append(rule("apple.nfc.message").problem(problem=problem))
    if not _text(_get(nfc, "encryptionPublicKey")):
        problems.append(rule("apple.nfc.public-key").problem(where="nfc.encryptionPublicKey"))
    return problems


def _barcode_problems(pass_json: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for path, barcode in _barcodes(pass_json):
        message = _get(barcode, "message")
        if (
            _get(barcode, "format") == BARCODE_FORMATS["code128"]
            and isinstance(message, str)
            and not message.isascii()
        ):
            problems.append(rule("apple.barcode.code128-ascii").problem(where=f"{path}.message"))
    return problems


def _field_count_problems(pass_json: Mapping[str, Any], style: str, kind: str) -> list[str]:
    limits = FIELD_LIMITS[style]
    structure = pass_json[style]
    problems: list[str] = []
    counts: dict[str, int] = {}
    for group in FRONT_GROUPS:
        fields = structure.get(f"{group}Fields", [])
        counts[group] = len(fields) if isinstance(fields, list | tuple) else 0
        limit: int = getattr(limits, group)
        if counts[group] > limit:
            problems.append(
                rule("apple.fields.count").problem(
                    where=f"{style}.{group}Fields",
                    kind=kind,
                    limit=limit,
                    group=group,
                    plural="s" if limit != 1 else "",
                    count=counts[group],
                )
            )
    combined = limits.combined_with_square_barcode
    formats = [_get(barcode, "format") for _, barcode in _barcodes(pass_json)]
    square = next((f for f in formats if f in SQUARE_BARCODE_FORMATS), None)
    if combined is not None and square and counts["secondary"] + counts["auxiliary"] > combined:
        problems.append(
            rule("apple.fields.square-barcode").problem(
                where=f"{style}.secondaryFields/auxiliaryFields",
                kind=kind,
                barcode=square,
                limit=combined,
                count=f"{counts['secondary']} + {counts['auxiliary']}",
            )
        )
    return problems


def _field_problems(group: str, path: str, field: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    if "textAlignment" in field and group in ("primary", "back"):
        problems.append(rule("apple.field.alignment").problem(where=path, group=group))
    if "dataDetectorTypes" in field and group != "back":
        problems.append(rule("apple.field.link-on-back").problem(where=path))
    code = field.get("currencyCode")
    breach = currency_breach(code) if isinstance(code, str) else None
    if breach is not None:
        problems.append(breach.rule.problem(where=f"{path}.currencyCode", **breach.values))
    message = field.get("changeMessage")
    if isinstance(message, str) and "%@" not in message:
        problems.append(
            rule("apple.field.change-message").problem(
                where=f"{path}.changeMessage", message=message
            )
        )
    return problems


def _fields(
    structure: Mapping[str, Any], style: str
) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    for group in ALL_GROUPS:
        fields = structure.get(f"{group}Fields", [])
        if isinstance(fields, list | tuple):
            for index, field in enumerate(fields):
                if isinstance(field, Mapping):
                    yield group, f"{style}.{group}Fields[{index}]", field


def _barcodes(pass_json: Mapping[str, Any]) -> list[tuple[str, Any]]:
    items = pass_json.get("barcodes", [])
    found = list(enumerate(items)) if isinstance(items, list | tuple) else []
    barcodes: list[tuple[str, Any]] = [(f"barcodes[{i}]", item) for i, item in found]
    if "barcode" in pass_json:
        barcodes.append(("barcode", pass_json["barcode"]))
    return barcodes


def _get(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, Mapping) else None


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)
