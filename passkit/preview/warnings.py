"""Design warnings: what will look wrong in Apple Wallet or Google Wallet, before anyone sees it.

None of these stops a pass from being built (the wallet compilers reject what is invalid);
they are what a designer wants to hear about: text the wallet will cut, fields it will not
show, images missing, cropped or never shown, text hard to read on its background, a barcode
too dense to scan, and content that only one of the two wallets can show. The warnings
about images are found by `passkit.preview.image_warnings`; what a warning is, and the codes,
are in `passkit.preview.design_warning`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from passkit.colors import Color
from passkit.errors import WalletRuleError
from passkit.google.compile import compile_google
from passkit.google.options import GoogleOptions
from passkit.images import ImageSource
from passkit.model.pass_ import Pass
from passkit.preview.apple import draw_front
from passkit.preview.barcodes import density_problem
from passkit.preview.canvas import Face, decode_image
from passkit.preview.design_warning import (
    BARCODE_TOO_LONG,
    GOOGLE_NOTICE,
    GOOGLE_RULE,
    LOW_CONTRAST,
    MISSING_FONT,
    ONE_WALLET_ONLY,
    TOO_MANY_FIELDS,
    TRUNCATED,
    WALLET_NAMES,
    DesignWarning,
)
from passkit.preview.google import draw_card
from passkit.preview.google_view import PREVIEW_ISSUER, compile_for_preview
from passkit.preview.image_warnings import image_warnings
from passkit.preview.rules import apple_colors, apple_front_fields, apple_images
from passkit.preview.script_check import without_font

if TYPE_CHECKING:
    from passkit.layout import Layout

MIN_CONTRAST = 4.5  # WCAG 2 level AA for normal text


def lint_pass(p: Pass, *, google: GoogleOptions | None = None) -> list[DesignWarning]:
    """Every design warning about a pass, in every language it has, without duplicates."""
    found: list[DesignWarning] = []
    found.extend(_truncations(p, google))
    found.extend(_field_counts(p, google))
    found.extend(image_warnings(p, google))
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
