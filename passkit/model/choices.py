"""The closed sets of choices a pass is made of: its kind, status, transit type, the styles of
dates and numbers, alignments, kinds of links, barcode formats and string encodings."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    LOYALTY = "loyalty"
    GIFT_CARD = "gift_card"
    GENERIC = "generic"
    COUPON = "coupon"
    EVENT_TICKET = "event_ticket"
    BOARDING_PASS = "boarding_pass"


class TransitType(StrEnum):
    AIR = "air"
    TRAIN = "train"
    BUS = "bus"
    BOAT = "boat"
    GENERIC = "generic"


class Status(StrEnum):
    """Where the pass is in its life; wallets grey out or hide passes that are not active."""

    ACTIVE = "active"
    REDEEMED = "redeemed"
    EXPIRED = "expired"
    VOIDED = "voided"


class DateStyle(StrEnum):
    NONE = "none"
    SHORT = "short"
    MEDIUM = "medium"
    LONG = "long"
    FULL = "full"


class NumberStyle(StrEnum):
    DECIMAL = "decimal"
    PERCENT = "percent"
    SCIENTIFIC = "scientific"
    SPELL_OUT = "spell_out"


class Alignment(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"
    NATURAL = "natural"


class LinkKind(StrEnum):
    WEB = "web"
    EMAIL = "email"
    PHONE = "phone"
    ADDRESS = "address"


class BarcodeFormat(StrEnum):
    QR = "qr"
    PDF417 = "pdf417"
    AZTEC = "aztec"
    CODE128 = "code128"


class StringsEncoding(StrEnum):
    UTF8 = "utf-8"
    UTF16 = "utf-16"
