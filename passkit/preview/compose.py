"""The whole preview image: the faces side by side, captioned, and the warnings in the margin."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from PIL import Image

from passkit.google.options import GoogleOptions
from passkit.model.pass_ import Pass
from passkit.preview import fonts
from passkit.preview.apple import draw_back, draw_front
from passkit.preview.canvas import SCALE, Canvas, Face, px
from passkit.preview.design_warning import WALLET_NAMES, DesignWarning
from passkit.preview.google import draw_card

WalletChoice = Literal["apple", "google", "both"]
WALLETS: tuple[str, ...] = ("apple", "google", "both")

GUTTER = 24.0
CAPTION = 26.0
PAPER = (226, 226, 233, 255)
INK = (60, 60, 67)
WARNING_INK = (150, 80, 0)


def faces(
    p: Pass,
    *,
    wallet: WalletChoice = "both",
    language: str | None = None,
    google: GoogleOptions | None = None,
) -> list[Face]:
    """The drawn faces for a wallet choice: Apple front and back, and/or the Google card."""
    if wallet not in WALLETS:
        raise ValueError(f"wallet must be one of {', '.join(WALLETS)}, not {wallet!r}")
    language = language or p.language
    drawn: list[Face] = []
    if wallet in ("apple", "both"):
        drawn += [draw_front(p, language), draw_back(p, language)]
    if wallet in ("google", "both"):
        drawn.append(draw_card(p, language, google))
    return drawn


def compose(drawn: Sequence[Face], warnings: Sequence[DesignWarning] = ()) -> Image.Image:
    """The faces on one sheet, each under its caption, warnings listed below them."""
    width = GUTTER + sum(face.image.width / SCALE + GUTTER for face in drawn)
    tallest = max(face.image.height / SCALE for face in drawn)
    lines_height = 0.0
    inner = width - 2 * GUTTER
    face_text = fonts.font(px(13))
    texts = [f"{WALLET_NAMES[w.wallet]} · {w.where}: {w.message}" for w in warnings]
    wrapped = [fonts.wrap(text, face_text, px(inner - 18)) for text in texts]
    if warnings:
        lines_height = 30 + sum(len(rows) * 13 * 1.35 + 6 for rows in wrapped)
    height = GUTTER + CAPTION + tallest + GUTTER + lines_height
    sheet = Canvas(width, height, background=PAPER)
    x = GUTTER
    for face in drawn:
        sheet.text(x, GUTTER, face.title, size=14, weight=fonts.SEMIBOLD, color=INK)
        sheet.image.paste(face.image, (px(x), px(GUTTER + CAPTION)), face.image)
        x += face.image.width / SCALE + GUTTER
    if warnings:
        y = GUTTER + CAPTION + tallest + GUTTER
        count = len(warnings)
        sheet.text(
            GUTTER,
            y,
            f"{count} design warning{'s' if count != 1 else ''}",
            size=15,
            weight=fonts.BOLD,
            color=WARNING_INK,
        )
        y += 30
        for rows in wrapped:
            _warning_mark(sheet, GUTTER, y + 2)
            for index, row in enumerate(rows):
                sheet.text(GUTTER + 18, y + index * 13 * 1.35, row, size=13, color=INK)
            y += len(rows) * 13 * 1.35 + 6
    return sheet.image.convert("RGB")


def _warning_mark(sheet: Canvas, x: float, y: float) -> None:
    """A small orange warning triangle, drawn as shapes: a ⚠ glyph would take one colour."""
    sheet.polygon([(x + 6, y), (x + 12, y + 11), (x, y + 11)], fill=(230, 140, 0))
    sheet.rectangle((x + 5.3, y + 3.5, x + 6.7, y + 7.5), fill=(255, 255, 255))
    sheet.rectangle((x + 5.3, y + 8.5, x + 6.7, y + 9.8), fill=(255, 255, 255))
