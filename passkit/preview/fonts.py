"""Fonts for the previews: Noto Sans, and Noto's symbol fonts for what Noto Sans lacks.

Noto Sans, a scalable TrueType font shipped by a Python package, covers Latin, Greek and
Cyrillic, so translated labels and values are drawn with their accents. It is a variable font:
one file gives every weight. It has no arrows, stars, check marks or planes, which passes do
show ("CDG → JFK", "★ Gold"), and which both wallets draw from fonts of their own: the preview
draws each such character from the first fallback font that has it (subsets of Noto Sans
Symbols 2, Noto Sans Symbols and Noto Sans Math shipped in passkit/data/fonts, made by
tools/subset_symbol_fonts.py). A character no font has is drawn as Noto Sans's empty box.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

import fontpkg_noto_sans
from PIL import ImageDraw, ImageFont

FONT_FILE: Path = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"
_FALLBACK_DIRECTORY = Path(__file__).resolve().parent.parent / "data" / "fonts"
FALLBACK_FILES: tuple[Path, ...] = tuple(
    _FALLBACK_DIRECTORY / f"{name}-subset.ttf"
    for name in ("NotoSansSymbols2", "NotoSansSymbols", "NotoSansMath")
)

REGULAR = 400
MEDIUM = 500
SEMIBOLD = 600
BOLD = 700
ELLIPSIS = "…"

Run = tuple[str, ImageFont.FreeTypeFont]
# Unicode categories of characters drawn with the character before them: nonspacing and
# enclosing marks (variation selectors among them), and format characters (joiners).
_JOINS_PREVIOUS = frozenset({"Mn", "Me", "Cf"})


@lru_cache(maxsize=256)
def font(size_px: int, weight: int = REGULAR) -> ImageFont.FreeTypeFont:
    """Noto Sans at a pixel size and a weight (100-900), loaded once per combination."""
    loaded = ImageFont.truetype(str(FONT_FILE), size_px)
    values: list[float] = []
    for axis in loaded.get_variation_axes():
        raw: object = axis["name"]
        name = raw.decode("ascii", "replace") if isinstance(raw, bytes) else str(raw)
        default = float(axis["default"] or 0)
        values.append(float(weight) if name.lower() in ("weight", "wght") else default)
    loaded.set_variation_by_axes(values)
    return loaded


@lru_cache(maxsize=8)
def _characters(path: Path) -> frozenset[int]:
    """The code points a font file draws, read from its character map."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font_file:
        return frozenset(font_file.getBestCmap())


@lru_cache(maxsize=256)
def _fallback(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size_px)


def runs(text: str, face: ImageFont.FreeTypeFont) -> list[Run]:
    """`text` cut into pieces that one font each draws: `face`, or a fallback at its size."""
    if text.isascii():
        return [(text, face)]
    primary = _characters(FONT_FILE)
    pieces: list[Run] = []
    for character in text:
        if pieces and unicodedata.category(character) in _JOINS_PREVIOUS:
            # A variation selector (the emoji form of ✈ is ✈ and U+FE0F), a combining mark or
            # a joiner belongs to the character before it: alone at the start of a run, it
            # would be drawn as a dotted circle.
            pieces[-1] = (pieces[-1][0] + character, pieces[-1][1])
            continue
        drawn_by = face
        code = ord(character)
        if code not in primary:
            for path in FALLBACK_FILES:
                if code in _characters(path):
                    drawn_by = _fallback(path, int(face.size))
                    break
        if pieces and pieces[-1][1] is drawn_by:
            pieces[-1] = (pieces[-1][0] + character, drawn_by)
        else:
            pieces.append((character, drawn_by))
    return pieces


def text_width(text: str, face: ImageFont.FreeTypeFont) -> float:
    return sum(typeface.getlength(piece) for piece, typeface in runs(text, face))


def draw_text(
    draw: ImageDraw.ImageDraw,
    left: float,
    top: float,
    text: str,
    face: ImageFont.FreeTypeFont,
    fill: tuple[int, ...],
) -> None:
    """Draw one line whose top is at `top`; pieces in fallback fonts share `face`'s baseline."""
    pieces = runs(text, face)
    if len(pieces) == 1 and pieces[0][1] is face:
        draw.text((left, top), text, font=face, fill=fill, anchor="la")
        return
    baseline = top + face.getmetrics()[0]
    for piece, typeface in pieces:
        draw.text((left, baseline), piece, font=typeface, fill=fill, anchor="ls")
        left += typeface.getlength(piece)


def fit(text: str, face: ImageFont.FreeTypeFont, width: float) -> tuple[str, bool]:
    """The text as a wallet would show it in `width` pixels, and whether it had to be cut.

    Like both wallets, cut text ends with an ellipsis rather than being squeezed.
    """
    if text_width(text, face) <= width:
        return text, False
    low, high = 0, len(text)
    while low < high:  # the longest prefix that still fits with the ellipsis
        middle = (low + high + 1) // 2
        if text_width(text[:middle].rstrip() + ELLIPSIS, face) <= width:
            low = middle
        else:
            high = middle - 1
    return (text[:low].rstrip() + ELLIPSIS if low else ELLIPSIS), True


def wrap(text: str, face: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Break text into lines no wider than `width`, keeping the author's own line breaks."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        words = paragraph.split(" ")
        line = ""
        for word in words:
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, face) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
            while text_width(line, face) > width and len(line) > 1:
                # A single word wider than the line (a long URL): break it where it must.
                cut = len(line)
                while cut > 1 and text_width(line[:cut], face) > width:
                    cut -= 1
                lines.append(line[:cut])
                line = line[cut:]
        lines.append(line)
    return lines
