"""Test support for Google Wallet: the walletobjects validator (`passkit.testing.walletobjects`),
sample passes of every kind, and throwaway accounts."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

from passkit.google import ServiceAccount
from passkit.images import ImageSource
from passkit.model import Pass

# Re-exported for the tests that check compiled JSON against the discovery document.
from passkit.testing.walletobjects import assert_valid as assert_valid
from passkit.testing.walletobjects import validate as validate

ISSUER_ID = "3388000000012345678"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


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
