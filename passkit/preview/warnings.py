"""Design warnings: what will look wrong in Apple Wallet or Google Wallet, before anyone sees it.

None of these stops a pass from being built (the wallet compilers reject what is invalid);
they are what a designer wants to hear about: text the wallet will cut, fields it will not
show, images missing, cropped or never shown, text hard to read on its background, a barcode
too dense to scan, and content that only one of the two wallets can show.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from passkit.apple.styles import image_spec
from passkit.colors import Color
from passkit.errors import WalletRuleError
from passkit.google.compile import compile_google
from passkit.google.options import GoogleOptions
from passkit.images import ImageSource
from passkit.model.pass_ import Pass
from passkit.preview.apple import draw_front
from passkit.preview.barcodes import density_problem
from passkit.preview.canvas import Face, decode_image
from passkit.preview.google import HERO_SIZE, draw_card
from passkit.preview.google_view import PREVIEW_ISSUER, compile_for_preview, google_view
from passkit.preview.rules import (
    apple_colors,
    apple_front_fields,
    apple_hidden_images,
    apple_images,
    apple_style,
)
from passkit.preview.script_check import without_font

if TYPE_CHECKING:
    from passkit.layout import Layout

Wallet = Literal["apple", "google", "both"]

TRUNCATED = "truncated"
TOO_MANY_FIELDS = "too-many-fields"
MISSING_IMAGE = "missing-image"
IMAGE_NOT_SHOWN = "image-not-shown"
IMAGE_ASPECT = "image-aspect"
LOW_CONTRAST = "low-contrast"
BARCODE_TOO_LONG = "barcode-too-long"
ONE_WALLET_ONLY = "one-wallet-only"
GOOGLE_RULE = "google-rule"  # Google Wallet cannot make the pass at all
GOOGLE_NOTICE = "google-notice"  # something the Google compiler left out or changed
MISSING_FONT = "missing-font"  # the preview lacks the font of a script the pass uses

MIN_CONTRAST = 4.5  # WCAG 2 level AA for normal text
ASPECT_TOLERANCE = 0.10  # how far (relative) an image's shape may be from the slot's
WALLET_NAMES = {"apple": "Apple Wallet", "google": "Google Wallet", "both": "both wallets"}


@dataclass(frozen=True)
class DesignWarning:
    """One thing that will look wrong: a code to filter on, a message to act on, where it is
    (a field path such as ``secondary[1].value``) and which wallet shows the problem."""

    code: str
    message: str
    where: str
    wallet: Wallet
    #: The rule of `passkit.apple_rules.RULES` behind the warning, where it is one: the Apple
    #: bundle then cannot be built until the warning is dealt with.
    rule: str | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.message} [{WALLET_NAMES[self.wallet]}]"


def lint_pass(p: Pass, *, google: GoogleOptions | None = None) -> list[DesignWarning]:
    """Every design warning about a pass, in every language it has, without duplicates."""
    found: list[DesignWarning] = []
    found.extend(_truncations(p, google))
    found.extend(_field_counts(p, google))
    found.extend(_images(p, google))
    found.extend(_contrast(p))
    found.extend(_barcode(p))
    found.extend(_one_wallet_only(p, google))
    found.extend(_google_compiler(p, google))
    found.extend(_missing_fonts(p))
    unique: dict[tuple[str, str, str], DesignWarning] = {}
    for warning in found:
        unique.setdefault((warning.code, warning.where, warning.wallet), warning)
    return list(unique.values())


def lint_layout(
    layout: Layout,
    record: Mapping[str, Any],
    *,
    now: datetime | None = None,
    record_name: str = "record",
) -> list[DesignWarning]:
    """The design warnings of the pass a layout makes from one (sample) record, less those
    the layout accepts (`layout_warnings`).

    Raises what rendering raises (LayoutError, DataError) when the record does not fit.
    """
    return layout_warnings(layout, layout.render(record, now=now, record_name=record_name))


def layout_warnings(layout: Layout, p: Pass) -> list[DesignWarning]:
    """The design warnings of a pass `layout` made, less those the layout accepts on purpose
    (`lint.accept`: a warning's code or its place)."""
    accepted = set(layout.spec.lint.accept)
    return [
        warning
        for warning in lint_pass(p, google=layout.google)
        if warning.code not in accepted and warning.where not in accepted
    ]


def languages(p: Pass) -> list[str]:
    return [p.language, *(tag for tag in p.translations if tag != p.language)]


def _truncations(p: Pass, google: GoogleOptions | None) -> Iterator[DesignWarning]:
    for language in languages(p):
        faces: list[Face] = [draw_front(p, language), draw_card(p, language, google)]
        for face in faces:
            for cut in face.cuts:
                in_language = "" if language == p.language else f" in {language!r}"
                fits = max(0, len(cut.shown) - 1)
                yield DesignWarning(
                    TRUNCATED,
                    f"{cut.text!r}{in_language} is too long for its place and is cut to "
                    f"{cut.shown!r} in {WALLET_NAMES[face.wallet]}; about {fits} characters "
                    "fit there: shorten it or move it to a roomier field",
                    cut.where,
                    face.wallet,
                )


def _missing_fonts(p: Pass) -> Iterator[DesignWarning]:
    for where, text, script_font in without_font(p, languages(p)):
        package = script_font.package
        yield DesignWarning(
            MISSING_FONT,
            f"{text!r} has {script_font.script} characters, which the preview draws as empty "
            f"boxes: install Debian's {package} (apt-get install {package}) to see them as "
            "both wallets show them",
            where,
            "both",
        )


def _field_counts(p: Pass, google: GoogleOptions | None) -> Iterator[DesignWarning]:
    for dropped in apple_front_fields(p).dropped:
        yield DesignWarning(
            TOO_MANY_FIELDS,
            f"field {dropped.placed.field.key!r} is not shown: {dropped.reason}; move it to "
            "the back fields or remove another",
            dropped.placed.where,
            "apple",
            dropped.rule,
        )


def _shape(source: ImageSource) -> tuple[int, int]:
    return decode_image(source).size


def _aspect_warning(
    role: str, source: ImageSource, expected: tuple[float, float], wallet: Wallet, advice: str
) -> DesignWarning | None:
    """A warning when the image's shape is not (about) the `expected` width:height."""
    width, height = _shape(source)
    ratio = width / height
    wanted = expected[0] / expected[1]
    if abs(ratio - wanted) / wanted <= ASPECT_TOLERANCE:
        return None
    return DesignWarning(
        IMAGE_ASPECT,
        f"the {role} image is {width}×{height} pixels ({ratio:.2f}:1) but "
        f"{WALLET_NAMES[wallet]} wants {wanted:.2f}:1 there; {advice}",
        f"images.{role}",
        wallet,
    )


def _images(p: Pass, google: GoogleOptions | None) -> Iterator[DesignWarning]:
    style = apple_style(p)
    if p.images.icon is None:
        yield DesignWarning(
            MISSING_IMAGE,
            "there is no icon: Apple Wallet requires one (it appears on the lock screen and in "
            "notifications) and will not add the pass without it; add a square icon",
            "images.icon",
            "apple",
            "apple.images.icon",
        )
    google_logo = google.program_logo if google else None
    if p.images.logo is None:
        wallet: Wallet = "apple" if google_logo else "both"
        yield DesignWarning(
            MISSING_IMAGE,
            "there is no logo: the top of the pass will show only text; add a logo image",
            "images.logo",
            wallet,
        )
    for role, reason, rule in apple_hidden_images(p, p.images):
        yield DesignWarning(
            IMAGE_NOT_SHOWN,
            f"the {role} image is never shown: {reason}; remove it or choose another kind",
            f"images.{role}",
            "apple",
            rule,
        )
    shown = apple_images(p, p.images)
    for role, source in shown.items():
        spec = image_spec(role, style)
        if spec.aspect_range is not None:
            width, height = _shape(source)
            low, high = spec.aspect_range
            if not low <= width / height <= high:
                yield DesignWarning(
                    IMAGE_ASPECT,
                    f"the {role} image is {width}×{height} pixels; Apple Wallet crops "
                    f"a {role} to between {low:.2f}:1 and {high:.2f}:1; give an image "
                    "closer to square",
                    f"images.{role}",
                    "apple",
                )
            continue
        if role == "logo":
            width, height = _shape(source)
            if width / height > spec.width / spec.height * (1 + ASPECT_TOLERANCE):
                shown_height = spec.width * height / width
                yield DesignWarning(
                    IMAGE_ASPECT,
                    f"the logo is {width}×{height} pixels, wider than Apple's 160×50-point "
                    f"space: it will be only {shown_height:.0f} points tall; use a narrower "
                    "logo",
                    "images.logo",
                    "apple",
                )
            continue
        size = f"{spec.width}×{spec.height} points"
        advice = (
            f"parts of it will be cropped: give an image of {size} (or a multiple)"
            if role in ("strip", "background")
            else f"it will be shrunk to fit {size}: give an image of that shape"
        )
        warning = _aspect_warning(role, source, (spec.width, spec.height), "apple", advice)
        if warning:
            yield warning
    yield from _google_images(p, google)


def _image_where(p: Pass, google: GoogleOptions | None, source: ImageSource) -> str:
    if google is not None and source is google.program_logo:
        return "google.program_logo"
    if google is not None and source is google.hero_image:
        return "google.hero_image"
    for role, candidate in p.images.items():
        if candidate is source:
            return f"images.{role}"
    return "images"


def _google_images(p: Pass, google: GoogleOptions | None) -> Iterator[DesignWarning]:
    try:
        view = google_view(p, p.language, google)
    except WalletRuleError:
        return  # reported by _google_compiler
    if view.logo is not None:
        where = _image_where(p, google, view.logo)
        advice = "Google cuts the logo to a circle, losing its sides: give a square logo"
        if where != "google.program_logo":
            advice += " as google.program_logo"
        warning = _aspect_warning("logo", view.logo, (1, 1), "google", advice)
        if warning:
            yield replace(warning, where=where)
    if view.hero is not None:
        where = _image_where(p, google, view.hero)
        advice = f"parts of it will be cropped: give a {HERO_SIZE[0]}×{HERO_SIZE[1]} image"
        if where != "google.hero_image":
            advice += " as google.hero_image"
        warning = _aspect_warning("hero", view.hero, HERO_SIZE, "google", advice)
        if warning:
            yield replace(warning, where=where)


def _google_shows(p: Pass, google: GoogleOptions | None, text: str) -> bool:
    """Whether a text appears anywhere in what Google Wallet receives for the pass."""
    try:
        compiled, _ = compile_for_preview(p, google)
    except WalletRuleError:
        return True  # nothing to compare with; the compiler's refusal is reported instead
    carried = json.dumps([compiled.class_json, compiled.object_json], ensure_ascii=False)
    return json.dumps(text, ensure_ascii=False)[1:-1] in carried


def _google_compiler(p: Pass, google: GoogleOptions | None) -> Iterator[DesignWarning]:
    """What the Google compiler itself says about the pass: a rule it cannot meet, or what it
    leaves out (fields beyond the card's rows, images without a public URL...)."""
    try:
        compiled = compile_google(p, issuer_id=PREVIEW_ISSUER, options=google)
    except WalletRuleError as exc:
        yield DesignWarning(
            GOOGLE_RULE, f"Google Wallet cannot make this pass: {exc}", "google", "google"
        )
        return
    for notice in compiled.notices:
        code = GOOGLE_NOTICE
        if "front fields" in notice or "card_rows" in notice:
            code = TOO_MANY_FIELDS
        elif "url" in notice or "address" in notice:
            code = ONE_WALLET_ONLY
        yield DesignWarning(code, notice, "google", "google")


def _mean_color(source: ImageSource) -> Color:
    small = decode_image(source).convert("RGB").resize((1, 1))
    red, green, blue = small.getpixel((0, 0))  # type: ignore[misc]
    return Color(int(red), int(green), int(blue))


def _contrast(p: Pass) -> Iterator[DesignWarning]:
    colors = apple_colors(p)
    checks: list[tuple[str, str, Color, Color, str]] = [
        ("foreground_color", "values", colors.foreground, colors.background, "background"),
        ("label_color", "labels", colors.label, colors.background, "background"),
    ]
    strip = apple_images(p, p.images).get("strip")
    if strip is not None and p.primary:
        checks.append(
            (
                "foreground_color",
                "the primary field",
                colors.foreground,
                _mean_color(strip),
                "strip image it is drawn on",
            )
        )
    for where, what, ink, paper, paper_name in checks:
        ratio = ink.contrast_ratio(paper)
        if ratio < MIN_CONTRAST:
            yield DesignWarning(
                LOW_CONTRAST,
                f"{what} in {ink.hex} on the {paper_name} ({paper.hex}) have a contrast ratio "
                f"of {ratio:.1f}:1, below the {MIN_CONTRAST}:1 that WCAG asks for readable "
                "text; darken or lighten one of them",
                where,
                "apple",
            )


def _barcode(p: Pass) -> Iterator[DesignWarning]:
    if p.barcode is None:
        return
    problem = density_problem(p.barcode)
    if problem:
        yield DesignWarning(BARCODE_TOO_LONG, problem, "barcode.message", "both")


def _one_wallet_only(p: Pass, google: GoogleOptions | None) -> Iterator[DesignWarning]:
    if p.logo_text and not _google_shows(p, google, p.logo_text):
        yield DesignWarning(
            ONE_WALLET_ONLY,
            f"the logo text {p.logo_text!r} appears only in Apple Wallet; the Google card does "
            "not show it: put it in the title or organisation, or in a field",
            "logo_text",
            "apple",
        )
    for role in ("thumbnail", "background", "footer"):
        if role in apple_images(p, p.images):
            yield DesignWarning(
                ONE_WALLET_ONLY,
                f"the {role} image appears only in Apple Wallet; the Google card has no place "
                "for it: do not rely on it for information",
                f"images.{role}",
                "apple",
            )
    if p.beacons:
        yield DesignWarning(
            ONE_WALLET_ONLY,
            "iBeacons wake the pass only in Apple Wallet; Google Wallet ignores them",
            "beacons",
            "apple",
        )
    for group in ("header", "primary", "secondary", "auxiliary", "back"):
        for index, field in enumerate(getattr(p, group)):
            if field.change_message:
                yield DesignWarning(
                    ONE_WALLET_ONLY,
                    f"the change message of field {field.key!r} is sent only by Apple Wallet; "
                    "Google Wallet holders are not told of the change: add a message to the "
                    "pass for them",
                    f"{group}[{index}].change_message",
                    "apple",
                )


def sort_key(warning: DesignWarning) -> tuple[str, str, str]:
    return (warning.wallet, warning.code, warning.where)


def summarize(warnings: Iterable[DesignWarning]) -> list[str]:
    """One line per warning, as the command line and the image's margin show them."""
    return [str(w) for w in warnings]
