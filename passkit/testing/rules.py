"""The rules of Apple's pass.json that a bundle can break, checked on the JSON as read.

This is a second look, independent of the compiler that wrote the JSON: it reads what Wallet
will read, and reports every rule broken, each naming the key at fault. The rules of the table
in `passkit.apple_rules` are checked in `passkit.testing.named_rules` and name their rule.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from passkit.apple.styles import STYLE_NAMES, TRANSIT_TYPES
from passkit.apple_rules import (
    BARCODE_FORMATS,
    MAX_BEACON_NUMBER,
    MAX_LATITUDE,
    MAX_LONGITUDE,
    MIN_TOKEN_LENGTH,
    rule,
)
from passkit.testing.named_rules import check_named_rules
from passkit.web_service import url_breach

REQUIRED_STRINGS = (
    "description",
    "organizationName",
    "passTypeIdentifier",
    "serialNumber",
    "teamIdentifier",
)
# The ones a pass's content gives (the others come from the signing certificate).
REQUIRED_TEXTS = ("description", "organizationName", "serialNumber")
FIELD_GROUP_KEYS = (
    "headerFields",
    "primaryFields",
    "secondaryFields",
    "auxiliaryFields",
    "backFields",
)
APPLE_BARCODE_FORMATS = tuple(BARCODE_FORMATS.values())
COLOR_KEYS = ("backgroundColor", "foregroundColor", "labelColor")
DATE_KEYS = ("expirationDate", "relevantDate")
_RGB = re.compile(r"^rgb\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*\)$")
# W3C date with a time and a zone, as Apple requires: 2026-12-01T09:00+01:00 or ...Z.
_W3C_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def style_of(pass_json: Mapping[str, Any]) -> str | None:
    """The style key of a pass (storeCard, generic, ...) when there is exactly one."""
    present = [key for key in STYLE_NAMES if key in pass_json]
    return present[0] if len(present) == 1 else None


def check_pass_json(pass_json: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for key in REQUIRED_STRINGS:
        value = pass_json.get(key)
        if not isinstance(value, str) or not value:
            what = "missing" if key not in pass_json else "not a non-empty string"
            if key in REQUIRED_TEXTS:
                problem = f"{key} is {what}"
                problems.append(rule("apple.pass.required-text").problem(problem=problem))
            else:
                problems.append(f"pass.json: {key} is {what}; it is required")
    if pass_json.get("formatVersion") != 1 or isinstance(pass_json.get("formatVersion"), bool):
        problems.append(
            f"pass.json: formatVersion must be the number 1, got {pass_json.get('formatVersion')!r}"
        )
    problems += _check_style(pass_json)
    problems += check_named_rules(pass_json, style_of(pass_json))
    problems += _check_barcodes(pass_json)
    problems += _check_places(pass_json)
    for key in COLOR_KEYS:
        if key in pass_json and not _is_rgb(pass_json[key]):
            problem = f"{key} {pass_json[key]!r} is not a colour of the form rgb(r, g, b)"
            problems.append(rule("apple.color.form").problem(problem=problem))
    for key in DATE_KEYS:
        if key in pass_json and not _is_w3c_date(pass_json[key]):
            problem = f"{key} {pass_json[key]!r} is not a W3C date with a time zone"
            problems.append(rule("apple.date.time-zone").problem(problem=problem))
    if "webServiceURL" in pass_json:
        problems += _check_web_service(pass_json)
    return problems


def _check_web_service(pass_json: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    url = pass_json["webServiceURL"]
    breach = url_breach(url) if isinstance(url, str) else None
    if breach is not None:
        problems.append(breach.rule.problem(where="webServiceURL", **breach.values))
    token = pass_json.get("authenticationToken")
    if not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH:
        length = len(token) if isinstance(token, str) else 0
        problem = f"webServiceURL needs an authenticationToken, and this one is {length} long"
        problems.append(rule("apple.web-service.token").problem(problem=problem))
    return problems


def _check_style(pass_json: Mapping[str, Any]) -> list[str]:
    present = [key for key in STYLE_NAMES if key in pass_json]
    if not present:
        return [f"pass.json: no style key; exactly one of {', '.join(STYLE_NAMES)} is required"]
    if len(present) > 1:
        return [f"pass.json: has several style keys ({', '.join(present)}); keep exactly one"]
    style = present[0]
    structure = pass_json[style]
    if not isinstance(structure, Mapping):
        return [f"pass.json: {style} must be an object holding the field groups"]
    problems: list[str] = []
    if style == "boardingPass" and structure.get("transitType") not in TRANSIT_TYPES.values():
        problems.append(
            f"pass.json: boardingPass.transitType must be one of "
            f"{', '.join(TRANSIT_TYPES.values())}, got {structure.get('transitType')!r}"
        )
    seen: dict[str, str] = {}
    for group in FIELD_GROUP_KEYS:
        fields = structure.get(group, [])
        if not isinstance(fields, list | tuple):
            problems.append(f"pass.json: {style}.{group} must be a list of fields")
            continue
        for index, item in enumerate(fields):
            path = f"{style}.{group}[{index}]"
            if not isinstance(item, Mapping):
                problems.append(f"pass.json: {path} must be an object")
                continue
            key = item.get("key")
            if not isinstance(key, str) or not key:
                problems.append(f"pass.json: {path} has no key")
            elif key in seen:
                problems.append(
                    rule("apple.fields.unique-key").problem(where=path, key=key, other=seen[key])
                )
            else:
                seen[key] = path
            value = item.get("value")
            if "value" not in item:
                problem = f"{path} has no value"
            elif isinstance(value, bool) or not isinstance(value, str | int | float):
                problem = f"{path}.value must be a string or a number"
            else:
                continue
            problems.append(rule("apple.field.value").problem(problem=problem))
    return problems


def _check_barcodes(pass_json: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    barcodes: list[tuple[str, Any]] = []
    if "barcodes" in pass_json:
        items = pass_json["barcodes"]
        if not isinstance(items, list | tuple):
            return ["pass.json: barcodes must be a list"]
        barcodes += [(f"barcodes[{i}]", item) for i, item in enumerate(items)]
    if "barcode" in pass_json:
        barcodes.append(("barcode", pass_json["barcode"]))
    for path, item in barcodes:
        if not isinstance(item, Mapping):
            problems.append(f"pass.json: {path} must be an object")
            continue
        if item.get("format") not in APPLE_BARCODE_FORMATS:
            problems.append(
                f"pass.json: {path}.format {item.get('format')!r} is not one of "
                f"{', '.join(APPLE_BARCODE_FORMATS)}"
            )
        if not isinstance(item.get("message"), str) or not item["message"]:
            problems.append(
                rule("apple.barcode.message").problem(problem=f"{path}.message is missing or empty")
            )
        encoding = item.get("messageEncoding")
        if not isinstance(encoding, str):
            problems.append(f"pass.json: {path}.messageEncoding is missing (e.g. iso-8859-1)")
        elif isinstance(item.get("message"), str):
            try:
                item["message"].encode(encoding)
            except LookupError:
                where = f"{path}.messageEncoding"
                problems.append(
                    rule("apple.barcode.encoding").problem(where=where, encoding=encoding)
                )
            except UnicodeEncodeError as exc:
                bad = exc.object[exc.start : exc.end]
                problems.append(
                    rule("apple.barcode.encodable").problem(
                        where=f"{path}.message", text=bad, encoding=encoding
                    )
                )
    return problems


def _check_places(pass_json: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    locations = pass_json.get("locations", [])
    if not isinstance(locations, list | tuple):
        problems.append("pass.json: locations must be a list")
        locations = []
    for index, location in enumerate(locations):
        path = f"locations[{index}]"
        if not isinstance(location, Mapping):
            problems.append(f"pass.json: {path} must be an object")
            continue
        for key, bound in (("latitude", MAX_LATITUDE), ("longitude", MAX_LONGITUDE)):
            value = location.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(f"pass.json: {path}.{key} is missing or not a number")
            elif not -bound <= value <= bound:
                problems.append(
                    rule("apple.location.coordinates").problem(
                        problem=f"{path}.{key} {value} is outside -{bound}..{bound}"
                    )
                )
    beacons = pass_json.get("beacons", [])
    if not isinstance(beacons, list | tuple):
        problems.append("pass.json: beacons must be a list")
        beacons = []
    for index, beacon in enumerate(beacons):
        path = f"beacons[{index}]"
        if not isinstance(beacon, Mapping):
            problems.append(f"pass.json: {path} must be an object")
            continue
        problems += _check_beacon(path, beacon)
    return problems


def _check_beacon(path: str, beacon: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    try:
        uuid.UUID(str(beacon.get("proximityUUID")))
    except ValueError:
        problem = f"{path}.proximityUUID is missing or not a UUID"
        problems.append(rule("apple.beacon.uuid").problem(problem=problem))
    for key in ("major", "minor"):
        value = beacon.get(key)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 0 <= value <= MAX_BEACON_NUMBER
        ):
            problem = f"{path}.{key} must be a whole number 0..{MAX_BEACON_NUMBER}"
            problems.append(rule("apple.beacon.numbers").problem(problem=problem))
    if beacon.get("minor") is not None and beacon.get("major") is None:
        problems.append(rule("apple.beacon.minor-needs-major").problem(where=path))
    return problems


def _is_rgb(value: Any) -> bool:
    match = _RGB.match(value) if isinstance(value, str) else None
    return bool(match) and all(int(part) <= 255 for part in match.groups())  # type: ignore[union-attr]


def _is_w3c_date(value: Any) -> bool:
    if not isinstance(value, str) or not _W3C_DATE.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
