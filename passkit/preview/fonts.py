"""Fonts for the previews: Noto Sans, a scalable TrueType font shipped by a Python package.

Noto Sans covers Latin, Greek and Cyrillic, so translated labels and values are drawn with
their accents. It is a variable font: one file gives every weight.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import fontpkg_noto_sans
from PIL import ImageFont

FONT_FILE: Path = fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"

REGULAR = 400
MEDIUM = 500
SEMIBOLD = 600
BOLD = 700
ELLIPSIS = "…"


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


def text_width(text: str, face: ImageFont.FreeTypeFont) -> float:
    return face.getlength(text)


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
