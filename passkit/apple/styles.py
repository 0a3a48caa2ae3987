"""What Apple Wallet allows for each pass style: images, their sizes, and field counts.

Facts from Apple's Wallet Developer Guide ("Pass Design and Creation", Table 4-1 and "Images
Fill Their Allotted Space") and the PassKit Package Format Reference. Sizes are in points; a
file at @2x or @3x has two or three pixels per point.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from passkit.apple_rules import BARCODE_FORMATS, SQUARE_BARCODE_FORMATS
from passkit.model.choices import BarcodeFormat, Kind, TransitType

STYLE_OF_KIND: dict[Kind, str] = {
    Kind.LOYALTY: "storeCard",
    Kind.GIFT_CARD: "storeCard",
    Kind.GENERIC: "generic",
    Kind.COUPON: "coupon",
    Kind.EVENT_TICKET: "eventTicket",
    Kind.BOARDING_PASS: "boardingPass",
}

STYLE_NAMES: dict[str, str] = {
    "storeCard": "store card",
    "generic": "generic pass",
    "coupon": "coupon",
    "eventTicket": "event ticket",
    "boardingPass": "boarding pass",
}

TRANSIT_TYPES: dict[TransitType, str] = {
    TransitType.AIR: "PKTransitTypeAir",
    TransitType.BOAT: "PKTransitTypeBoat",
    TransitType.BUS: "PKTransitTypeBus",
    TransitType.TRAIN: "PKTransitTypeTrain",
    TransitType.GENERIC: "PKTransitTypeGeneric",
}

SCALES: tuple[int, ...] = (1, 2, 3)


class Fit(Enum):
    """How an image is brought to the space Apple allots to it, always keeping its proportions."""

    #: Scale to cover the whole space, then crop the overflow evenly from both sides.
    FILL = "fill"
    #: Scale to fit inside the space, then centre it on a transparent canvas of exactly that size.
    PAD = "pad"
    #: Scale to fit inside the space; the file is as large as the scaled image, no padding.
    WITHIN = "within"


@dataclass(frozen=True)
class ImageSpec:
    width: int
    height: int
    fit: Fit
    #: Narrowest and widest width/height ratio kept; an image outside is cropped to the limit.
    aspect_range: tuple[float, float] | None = None


# Images each style shows, in the order files are written.
STYLE_IMAGES: dict[str, tuple[str, ...]] = {
    "boardingPass": ("icon", "logo", "footer"),
    "coupon": ("icon", "logo", "strip"),
    "eventTicket": ("icon", "logo", "strip", "thumbnail", "background"),
    "generic": ("icon", "logo", "thumbnail"),
    "storeCard": ("icon", "logo", "strip"),
}

_COMMON_SPECS: dict[str, ImageSpec] = {
    # An icon must be square; padding keeps a wide logo whole instead of cutting its ends off.
    "icon": ImageSpec(29, 29, Fit.PAD),
    # "The allotted space is 160 x 50 points; in most cases it should be narrower": the logo
    # keeps its own shape so that the logo text starts right after it.
    "logo": ImageSpec(160, 50, Fit.WITHIN),
    "footer": ImageSpec(286, 15, Fit.WITHIN),
    "thumbnail": ImageSpec(90, 90, Fit.WITHIN, aspect_range=(2 / 3, 3 / 2)),
    "background": ImageSpec(180, 220, Fit.FILL),
}

# Apple gives 375 x 98 points for event tickets and 375 x 144 for gift cards and coupons. Wallet
# draws loyalty and gift cards with the same storeCard style, so both get 375 x 144.
_STRIP_SPECS: dict[str, ImageSpec] = {
    "eventTicket": ImageSpec(375, 98, Fit.FILL),
    "coupon": ImageSpec(375, 144, Fit.FILL),
    "storeCard": ImageSpec(375, 144, Fit.FILL),
}


def image_spec(role: str, style: str) -> ImageSpec:
    """The allotted space of an image role in a style (the style must show the role)."""
    if role == "strip":
        return _STRIP_SPECS[style]
    return _COMMON_SPECS[role]


@dataclass(frozen=True)
class FieldLimits:
    header: int = 3
    primary: int = 1
    secondary: int = 4
    auxiliary: int = 4
    #: Secondary and auxiliary fields together, when the barcode is square (QR or Aztec).
    combined_with_square_barcode: int | None = None


# "In general, a pass can have up to three header fields, a single primary field, up to four
# secondary fields, and up to four auxiliary fields. Boarding passes can have up to two primary
# fields and up to five auxiliary fields. Coupons, store cards, and generic passes with a square
# barcode can have a total of up to four secondary and auxiliary fields, combined."
FIELD_LIMITS: dict[str, FieldLimits] = {
    "boardingPass": FieldLimits(primary=2, auxiliary=5),
    "coupon": FieldLimits(combined_with_square_barcode=4),
    "eventTicket": FieldLimits(),
    "generic": FieldLimits(combined_with_square_barcode=4),
    "storeCard": FieldLimits(combined_with_square_barcode=4),
}

SQUARE_BARCODES = frozenset(
    barcode_format
    for barcode_format in BarcodeFormat
    if BARCODE_FORMATS[barcode_format.value] in SQUARE_BARCODE_FORMATS
)

# groupingIdentifier: "Use this identifier to group passes that are tightly related ... This
# key is valid only for event tickets and boarding passes."
GROUPING_STYLES = frozenset({"eventTicket", "boardingPass"})


KIND_WORDS: dict[Kind, str] = {
    Kind.LOYALTY: "loyalty card",
    Kind.GIFT_CARD: "gift card",
    Kind.GENERIC: "generic pass",
    Kind.COUPON: "coupon",
    Kind.EVENT_TICKET: "event ticket",
    Kind.BOARDING_PASS: "boarding pass",
}


def describe_kind(kind: Kind) -> str:
    """How a message names the pass: the issuer's word, and Apple's style when it differs."""
    style = STYLE_OF_KIND[kind]
    words = KIND_WORDS[kind]
    if words == STYLE_NAMES[style]:
        return f"an Apple {words}"
    return f"an Apple {words} (style {style})"


def list_words(items: tuple[str, ...] | list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
