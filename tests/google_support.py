"""Test support for Google Wallet: a validator against the walletobjects v1 discovery document
that google-api-python-client ships, sample passes of every kind, and throwaway accounts."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import googleapiclient
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

from passkit.google import ServiceAccount
from passkit.images import ImageSource
from passkit.model import Pass

DISCOVERY_PATH = (
    Path(googleapiclient.__file__).parent / "discovery_cache/documents/walletobjects.v1.json"
)
ISSUER_ID = "3388000000012345678"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
_REQUIRED = re.compile(
    r"^Required\.|This is required\.|This is a required (field|property)|"
    r"Required for each nested object"
)
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1)}


@cache
def discovery() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DISCOVERY_PATH.read_text(encoding="utf-8"))
    return data


def is_deprecated(prop: dict[str, Any]) -> bool:
    description = prop.get("description", "")
    return bool(prop.get("deprecated")) or description.startswith(
        ("Deprecated", "An unused/deprecated")
    )


def is_required(prop: dict[str, Any]) -> bool:
    return bool(_REQUIRED.search(prop.get("description", "")))


def validate(schema: str, value: Any) -> list[str]:
    """Every way `value` breaks the discovery document's `schema`, as 'path: problem' lines."""
    problems: list[str] = []
    _check_schema(schema, value, schema, problems)
    return problems


def assert_valid(schema: str, value: Any) -> None:
    problems = validate(schema, value)
    assert not problems, f"{schema} does not match the discovery document:\n" + "\n".join(problems)


def _check_schema(name: str, value: Any, path: str, problems: list[str]) -> None:
    schema = discovery()["schemas"][name]
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object ({name}), got {type(value).__name__}")
        return
    properties = schema.get("properties", {})
    for key, item in value.items():
        prop = properties.get(key)
        if prop is None:
            problems.append(f"{path}.{key}: unknown field of {name}")
            continue
        if is_deprecated(prop):
            problems.append(f"{path}.{key}: deprecated field of {name}")
        _check_value(prop, item, f"{path}.{key}", problems)
    for key, prop in properties.items():
        if is_required(prop) and value.get(key) in (None, "", [], {}):
            problems.append(f"{path}.{key}: required field of {name} is missing")


def _check_value(prop: dict[str, Any], value: Any, path: str, problems: list[str]) -> None:
    if "$ref" in prop:
        _check_schema(prop["$ref"], value, path, problems)
        return
    kind = prop.get("type")
    fmt = prop.get("format")
    if kind == "array":
        if not isinstance(value, list):
            problems.append(f"{path}: expected an array, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check_value(prop["items"], item, f"{path}[{index}]", problems)
        return
    if kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string, got {type(value).__name__}")
            return
        if fmt in ("int64", "uint64") and not re.fullmatch(r"-?[0-9]+", value):
            problems.append(f"{path}: expected an {fmt} in a string, got {value!r}")
        if "enum" in prop:
            _check_enum(prop, value, path, problems)
        if "ISO 8601" in prop.get("description", ""):
            try:
                datetime.fromisoformat(value)
            except ValueError:
                problems.append(f"{path}: {value!r} is not an ISO 8601 date/time")
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer, got {type(value).__name__}")
        elif fmt in _INT_RANGES and not _INT_RANGES[fmt][0] <= value <= _INT_RANGES[fmt][1]:
            problems.append(f"{path}: {value} is outside the {fmt} range")
    elif kind == "number":
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(f"{path}: expected a number, got {type(value).__name__}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected true or false, got {type(value).__name__}")
    else:
        problems.append(f"{path}: the discovery document has no type for this field")


def _check_enum(prop: dict[str, Any], value: str, path: str, problems: list[str]) -> None:
    allowed = prop["enum"]
    if value not in allowed:
        problems.append(f"{path}: {value!r} is not one of {allowed}")
        return
    deprecated = prop.get("enumDeprecated", [False] * len(allowed))
    if deprecated[allowed.index(value)]:
        problems.append(f"{path}: {value!r} is a deprecated (legacy) enum value")
    if value != value.upper() or value.endswith("_UNSPECIFIED"):
        problems.append(f"{path}: {value!r} is a lower-case or unspecified enum value")


def validate_google_pass(gp: Any) -> None:
    kind = gp.google_kind
    assert_valid(kind.class_schema, gp.class_json)
    assert_valid(kind.object_schema, gp.object_json)
    assert gp.object_json["classId"] == gp.class_json["id"] == gp.class_id
    assert gp.object_json["id"] == gp.object_id


# --- sample data --------------------------------------------------------------------------


def hosted_image(name: str, size: tuple[int, int] = (120, 120), color: str = "teal") -> ImageSource:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return ImageSource.from_bytes(
        buffer.getvalue(), name=f"{name}.png", url=f"https://cdn.example.com/img/{name}.png"
    )


def full_images() -> dict[str, ImageSource]:
    return dict(_full_images())


@cache
def _full_images() -> dict[str, ImageSource]:
    return {
        "icon": hosted_image("icon"),
        "logo": hosted_image("logo", (480, 150)),
        "strip": hosted_image("strip", (1125, 432)),
        "thumbnail": hosted_image("thumbnail", (270, 270)),
        "footer": hosted_image("footer", (858, 45)),
    }


CET = timezone(timedelta(hours=1))
COMMON: dict[str, Any] = {
    "organization": "Acme Coffee",
    "description": "Acme Coffee pass",
    "background_color": "#1f4e79",
    "foreground_color": "#ffffff",
    "barcode": {"format": "qr", "message": "ACME-0001", "alt_text": "0001"},
    "expiration_date": datetime(2027, 1, 31, 23, 59, tzinfo=CET),
    "links": [
        {"kind": "web", "uri": "https://acme.example/help", "label": "Help", "key": "help"},
        {"kind": "email", "uri": "care@acme.example", "label": "Write to us"},
        {"kind": "phone", "uri": "+49 30 1234 567", "label": "Call us"},
        {"kind": "address", "uri": "Unter den Linden 1, Berlin", "label": "Find us"},
    ],
    "messages": [{"key": "welcome", "header": "Welcome", "body": "Thanks for joining"}],
    "locations": [{"latitude": 52.52, "longitude": 13.405}],
    "grouping_id": "acme-2026",
}
TRANSLATIONS = {
    "de": {
        "strings": {
            "Welcome": "Willkommen",
            "Thanks for joining": "Danke fürs Mitmachen",
            "Points": "Punkte",
            "Member": "Mitglied",
            "Tier": "Stufe",
            "Help": "Hilfe",
            "Valid until": "Gültig bis",
            "Acme Coffee": "Acme Kaffee",
        }
    },
    "fr": {"strings": {"Welcome": "Bienvenue", "Points": "Points", "Tier": "Niveau"}},
}
BACK = [
    {"key": "terms", "label": "Terms", "value": "Points expire after 12 months."},
    {"key": "site", "label": "Website", "value": "https://acme.example", "link": "web"},
    {"key": "hotline", "label": "Hotline", "value": "+49 30 999", "link": "phone"},
    {"key": "mail", "label": "E-mail", "value": "care@acme.example", "link": "email"},
    {"key": "shop", "label": "Shop", "value": "Main St 1, Springfield", "link": "address"},
]


def sample_pass(kind: str, **overrides: Any) -> Pass:
    """A rich pass of `kind` using every feature the Google compiler maps."""
    data: dict[str, Any] = {
        **COMMON,
        "kind": kind,
        "serial_number": f"{kind}-0001",
        "images": full_images(),
        "translations": TRANSLATIONS,
        "back": BACK,
    }
    data.update(KIND_DATA[kind])
    data.update(overrides)
    return Pass(**data)


KIND_DATA: dict[str, dict[str, Any]] = {
    "loyalty": {
        "title": "Acme Rewards",
        "header": [{"key": "points", "label": "Points", "value": 1250}],
        "primary": [{"key": "member_name", "label": "Member", "value": "Ann Example"}],
        "secondary": [
            {"key": "tier", "label": "Tier", "value": "Gold"},
            {"key": "member_id", "label": "Member ID", "value": "M-0001"},
        ],
        "auxiliary": [
            {"key": "secondary_points", "label": "Stamps", "value": 7},
            {
                "key": "valid",
                "label": "Valid until",
                "value": datetime(2027, 1, 31, 23, 59, tzinfo=CET),
                "date_style": "medium",
                "time_style": "none",
            },
        ],
    },
    "gift_card": {
        "primary": [
            {"key": "balance", "label": "Balance", "value": {"amount": "25.50", "currency": "EUR"}}
        ],
        "secondary": [
            {"key": "card_number", "label": "Card", "value": "6006 1234 5678"},
            {"key": "pin", "label": "PIN", "value": "4321"},
        ],
        "auxiliary": [{"key": "issued", "label": "Issued", "value": "2026-03-01"}],
    },
    "generic": {
        "title": "Membership",
        "logo_text": "Acme Gym",
        "primary": [{"key": "member", "label": "Member", "value": "Ann Example"}],
        "secondary": [{"key": "plan", "label": "Plan", "value": "Premium"}],
        "auxiliary": [
            {"key": "fee", "label": "Fee", "value": Decimal("29.90"), "currency": "EUR"},
            {
                "key": "share",
                "label": "Discount",
                "value": Decimal("0.15"),
                "number_style": "percent",
            },
        ],
    },
    "coupon": {
        "title": "20% off any drink",
        "primary": [{"key": "offer", "label": "Offer", "value": "20% off"}],
        "auxiliary": [{"key": "code", "label": "Code", "value": "SPRING20"}],
    },
    "event_ticket": {
        "event": {
            "name": "Spring Gala",
            "venue_name": "City Hall",
            "venue_address": "1 Main Street\nSpringfield",
            "starts_at": datetime(2026, 5, 1, 19, 30, tzinfo=CET),
            "ends_at": datetime(2026, 5, 1, 23, 0, tzinfo=CET),
            "doors_open_at": datetime(2026, 5, 1, 18, 45, tzinfo=CET),
        },
        "primary": [{"key": "event", "label": "Event", "value": "Spring Gala"}],
        "secondary": [
            {"key": "section", "label": "Section", "value": "B"},
            {"key": "row", "label": "Row", "value": "12"},
            {"key": "seat", "label": "Seat", "value": "7"},
        ],
        "auxiliary": [
            {"key": "holder", "label": "Guest", "value": "Ann Example"},
            {"key": "price", "label": "Price", "value": {"amount": "49", "currency": "EUR"}},
            {"key": "ticket_type", "label": "Type", "value": "VIP"},
        ],
    },
    "boarding_pass": {
        "transit_type": "air",
        "trip": {
            "origin": {"code": "ZRH", "name": "Zurich"},
            "destination": {"code": "JFK", "name": "New York"},
            "departs_at": datetime(2026, 6, 1, 13, 5, tzinfo=timezone(timedelta(hours=2))),
            "arrives_at": datetime(2026, 6, 1, 16, 0, tzinfo=timezone(timedelta(hours=-4))),
            "carrier": "LX",
            "number": "LX 14",
            "passenger": "Ann Example",
            "seat": "12A",
            "gate": "E32",
        },
        "header": [{"key": "gate", "label": "Gate", "value": "E32"}],
        "primary": [
            {"key": "origin", "label": "Zurich", "value": "ZRH"},
            {"key": "destination", "label": "New York", "value": "JFK"},
        ],
        "secondary": [
            {"key": "passenger", "label": "Passenger", "value": "Ann Example"},
            {"key": "boarding_group", "label": "Group", "value": "B"},
        ],
        "auxiliary": [
            {"key": "seat", "label": "Seat", "value": "12A"},
            {"key": "pnr", "label": "Booking", "value": "XY7Q2K"},
            {"key": "cabin", "label": "Class", "value": "Economy"},
        ],
    },
}
TRAIN: dict[str, Any] = {
    "transit_type": "train",
    "trip": {
        "origin": {"code": "BER", "name": "Berlin Hbf"},
        "destination": {"name": "Hamburg Hbf"},
        "departs_at": datetime(2026, 6, 1, 8, 0, tzinfo=CET),
        "arrives_at": datetime(2026, 6, 1, 9, 45, tzinfo=CET),
        "carrier": "DB",
        "number": "ICE 702",
        "passenger": "Ann Example",
        "seat": "61",
        "platform": "7",
    },
    "header": [{"key": "platform", "label": "Platform", "value": "7"}],
    "primary": [
        {"key": "from", "label": "From", "value": "Berlin"},
        {"key": "to", "label": "To", "value": "Hamburg"},
    ],
    "secondary": [{"key": "coach", "label": "Coach", "value": "5"}],
    "auxiliary": [{"key": "ticket_number", "label": "Ticket", "value": "T-991"}],
}


# --- throwaway service accounts ----------------------------------------------------------


@cache
def shared_key() -> rsa.RSAPrivateKey:
    """One RSA key for the whole session: making one takes a tenth of a second or more."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def account_json(
    key: rsa.RSAPrivateKey | None = None, *, token_uri: str = "https://oauth2.example/token"
) -> dict[str, Any]:
    """A service account key document (with the session's shared key unless `key` is given)."""
    key = key or shared_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return {
        "type": "service_account",
        "project_id": "passkit-tests",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": "wallet@passkit-tests.iam.gserviceaccount.com",
        "client_id": "100000000000000000001",
        "token_uri": token_uri,
    }


def make_account(token_uri: str = "https://oauth2.example/token") -> ServiceAccount:
    return ServiceAccount.from_json(account_json(token_uri=token_uri), source="test account")
