"""What each wallet shows of a pass: which images, which fields, in which rows.

The drawing and the design warnings both ask these questions, so they are answered once here,
from Apple's style tables in `passkit.apple.styles` and Google's card template.
"""

from __future__ import annotations

from dataclasses import dataclass

from passkit.apple.styles import FIELD_LIMITS, SQUARE_BARCODES, STYLE_IMAGES, STYLE_OF_KIND
from passkit.colors import Color
from passkit.images import ImageSource
from passkit.model.fields import PassField
from passkit.model.looks import Images
from passkit.model.pass_ import Pass


@dataclass(frozen=True)
class Placed:
    """A field and where it comes from in the pass (for messages: `secondary[1]`)."""

    group: str
    index: int
    field: PassField

    @property
    def where(self) -> str:
        return f"{self.group}[{self.index}]"


@dataclass(frozen=True)
class Dropped:
    placed: Placed
    reason: str
    #: The rule of `passkit.apple_rules.RULES` that leaves the field out.
    rule: str


def images_for(p: Pass, language: str) -> Images:
    """The images in `language`: a translation's own images replace the default ones."""
    translation = p.translations.get(language)
    if translation is None:
        return p.images
    own = dict(translation.images.items())
    return Images(**{role: own.get(role, getattr(p.images, role)) for role in Images.model_fields})


def apple_style(p: Pass) -> str:
    return STYLE_OF_KIND[p.kind]


def apple_images(p: Pass, images: Images) -> dict[str, ImageSource]:
    """The images Apple Wallet shows on the front of the pass, by role."""
    style = apple_style(p)
    shown = {role: source for role, source in images.items() if role in STYLE_IMAGES[style]}
    if style == "eventTicket" and "strip" in shown:
        # An event ticket with a strip image shows neither background nor thumbnail.
        shown.pop("background", None)
        shown.pop("thumbnail", None)
    shown.pop("icon", None)  # the icon appears in notifications, not on the pass
    return shown


def apple_hidden_images(p: Pass, images: Images) -> list[tuple[str, str, str]]:
    """Images given but never shown by Apple Wallet for this style: the role, the reason and
    the name of the rule (in `passkit.apple_rules.RULES`) that the Apple bundle breaks."""
    style = apple_style(p)
    hidden: list[tuple[str, str, str]] = []
    for role, _ in images.items():
        if role not in STYLE_IMAGES[style]:
            reason = f"the Apple {style} style has no {role} image"
            hidden.append((role, reason, "apple.images.role"))
        elif style == "eventTicket" and role in ("background", "thumbnail") and images.strip:
            reason = f"an Apple event ticket with a strip image shows no {role}"
            hidden.append((role, reason, "apple.images.strip-alone"))
    return hidden


@dataclass(frozen=True)
class AppleFrontFields:
    header: tuple[Placed, ...]
    primary: tuple[Placed, ...]
    rows: tuple[tuple[Placed, ...], ...]
    dropped: tuple[Dropped, ...]


def _placed(p: Pass, group: str) -> list[Placed]:
    return [Placed(group, index, field) for index, field in enumerate(getattr(p, group))]


def apple_front_fields(p: Pass) -> AppleFrontFields:
    """The fields Apple Wallet shows on the front, in their rows, and the ones it leaves out."""
    style = apple_style(p)
    limits = FIELD_LIMITS[style]
    dropped: list[Dropped] = []
    kept: dict[str, list[Placed]] = {}
    for group in ("header", "primary", "secondary", "auxiliary"):
        limit: int = getattr(limits, group)
        fields = _placed(p, group)
        kept[group] = fields[:limit]
        dropped.extend(
            Dropped(
                extra,
                f"the Apple {style} style shows at most {limit} {group} field(s)",
                "apple.fields.count",
            )
            for extra in fields[limit:]
        )
    combined = limits.combined_with_square_barcode
    square = p.barcode is not None and p.barcode.format in SQUARE_BARCODES
    if combined is not None and square:
        together = kept["secondary"] + kept["auxiliary"]
        dropped.extend(
            Dropped(
                extra,
                f"the Apple {style} style with a square barcode shows at most {combined} "
                "secondary and auxiliary fields together",
                "apple.fields.square-barcode",
            )
            for extra in together[combined:]
        )
        rows: tuple[tuple[Placed, ...], ...] = (tuple(together[:combined]),)
    else:
        rows = (tuple(kept["secondary"]), tuple(kept["auxiliary"]))
    return AppleFrontFields(
        header=tuple(kept["header"]),
        primary=tuple(kept["primary"]),
        rows=tuple(row for row in rows if row),
        dropped=tuple(dropped),
    )


@dataclass(frozen=True)
class AppleColors:
    background: Color
    foreground: Color
    label: Color


# What Wallet uses when a pass sets no colour: dark text on a light card.
APPLE_DEFAULT_BACKGROUND = Color(242, 242, 247)
APPLE_DEFAULT_FOREGROUND = Color(0, 0, 0)


def apple_colors(p: Pass) -> AppleColors:
    background = p.background_color or APPLE_DEFAULT_BACKGROUND
    foreground = p.foreground_color or APPLE_DEFAULT_FOREGROUND
    return AppleColors(background, foreground, p.label_color or foreground)


# Google ignores the text colours of a pass and picks white or dark text for its background.
GOOGLE_DEFAULT_BACKGROUND = Color(60, 64, 67)
GOOGLE_DARK_TEXT = Color(32, 33, 36)
GOOGLE_LIGHT_TEXT = Color(255, 255, 255)


def google_colors(background: Color | None) -> tuple[Color, Color]:
    """The Google card's background and the text colour Google picks for it."""
    background = background or GOOGLE_DEFAULT_BACKGROUND
    light, dark = GOOGLE_LIGHT_TEXT, GOOGLE_DARK_TEXT
    text = light if background.contrast_ratio(light) >= background.contrast_ratio(dark) else dark
    return background, text
