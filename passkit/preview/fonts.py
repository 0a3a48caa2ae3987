"""Fonts for the previews: Noto Sans, Noto's symbol fonts, and Noto's fonts for other scripts.

Noto Sans, a scalable TrueType font shipped by a Python package, covers Latin, Greek, Cyrillic
and Devanagari, so translated labels and values are drawn with their accents. It is a variable
font: one file gives every weight. It has no arrows, stars, check marks or planes, which passes do
show ("CDG → JFK", "★ Gold"), and which both wallets draw from fonts of their own: the preview
draws each such character from the first fallback font that has it (subsets of Noto Sans
Symbols 2, Noto Sans Symbols and Noto Sans Math shipped in passkit/data/fonts, made by
tools/subset_symbol_fonts.py). Arabic, Hebrew, Thai, Chinese, Japanese, Korean and emoji come
from Debian's Noto packages when they are installed (passkit/preview/scripts.py); a character no
font has is drawn as Noto Sans's empty box, and `passkit lint` says which package would draw it.

A line is cut into runs of one font each, put in the order the Unicode Bidirectional Algorithm
gives (passkit/preview/bidi.py), and each run is shaped by Pillow's text layout (libraqm), right
to left where its level says so: Arabic letters join and Hebrew reads from the right.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from weakref import WeakKeyDictionary

import fontpkg_noto_sans
from PIL import Image, ImageDraw, ImageFont, features

from passkit.preview import bidi, scripts

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
# Where a character comes from: Noto Sans (None), a symbol subset (its file) or a script font
# and its installed file.
_Source = Path | tuple[scripts.ScriptFont, Path] | None
# Unicode categories of characters drawn with the character before them: nonspacing and
# enclosing marks (variation selectors among them), and format characters (joiners).
_JOINS_PREVIOUS = frozenset({"Mn", "Me", "Cf"})
# The weight each Noto Sans face was made for, so that its script fonts match it (bold or not).
_WEIGHTS: WeakKeyDictionary[ImageFont.FreeTypeFont, int] = WeakKeyDictionary()


@dataclass(frozen=True)
class Piece:
    """A run of a line as it is drawn: its text, its font, whether it runs right to left, and
    whether the font is a color bitmap font (emoji) drawn at its own size and scaled."""

    text: str
    font: ImageFont.FreeTypeFont
    rtl: bool = False
    color: bool = False


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
    _WEIGHTS[loaded] = weight
    return loaded


@lru_cache(maxsize=8)
def _characters(path: Path) -> frozenset[int]:
    """The code points a font file draws, read from its character map."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font_file:  # a collection's first face
        return frozenset(font_file.getBestCmap())


@lru_cache(maxsize=256)
def _fallback(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size_px)


@lru_cache(maxsize=256)
def _script_face(path: Path, size_px: int, index: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size_px, index=index)


def _source(code: int, primary: frozenset[int], weight: int) -> _Source:
    """Where one character is drawn from: the first font that has it."""
    if code in primary:
        return None
    for path in FALLBACK_FILES:
        if code in _characters(path):
            return path
    script_font = scripts.script_font_for(code)
    if script_font is not None:
        installed = script_font.file(weight)
        if installed is not None and code in _characters(installed):
            return script_font, installed
    return None


def _typeface(source: _Source, piece: str, face: ImageFont.FreeTypeFont) -> Piece:
    size = int(face.size)
    if source is None:
        return Piece(piece, face)
    if isinstance(source, Path):
        return Piece(piece, _fallback(source, size))
    script_font, installed = source
    if script_font.is_emoji:
        return Piece(piece, _script_face(installed, scripts.EMOJI_SIZE, 0), color=True)
    index = scripts.cjk_face_index(piece) if script_font is scripts.CJK else 0
    return Piece(piece, _script_face(installed, size, index))


def _logical_pieces(text: str, face: ImageFont.FreeTypeFont) -> list[Piece]:
    """`text` cut into pieces that one font each draws, in the order they are written."""
    if text.isascii():
        return [Piece(text, face)]
    primary = _characters(FONT_FILE)
    weight = _WEIGHTS.get(face, REGULAR)
    sources: list[tuple[str, _Source]] = []
    for character in text:
        if sources and unicodedata.category(character) in _JOINS_PREVIOUS:
            # A variation selector (the emoji form of ✈ is ✈ and U+FE0F), a combining mark or
            # a joiner belongs to the character before it: alone at the start of a run, it
            # would be drawn as a dotted circle.
            sources[-1] = (sources[-1][0] + character, sources[-1][1])
            continue
        source = _source(ord(character), primary, weight)
        if sources and sources[-1][1] == source:
            sources[-1] = (sources[-1][0] + character, source)
        else:
            sources.append((character, source))
    return [_typeface(source, piece, face) for piece, source in sources]


def runs(text: str, face: ImageFont.FreeTypeFont) -> list[Run]:
    """`text` cut into pieces that one font each draws: `face`, or another at its size."""
    return [(piece.text, piece.font) for piece in _logical_pieces(text, face)]


def pieces(text: str, face: ImageFont.FreeTypeFont) -> list[Piece]:
    """The runs of one line in the order they are drawn from left to right, each of one font
    and one direction."""
    logical = _logical_pieces(text, face)
    if text.isascii():
        return logical
    line_levels = bidi.levels(text)
    cut: list[Piece] = []
    cut_levels: list[int] = []
    position = 0
    for piece in logical:
        start = 0
        for end in range(1, len(piece.text) + 1):
            level = line_levels[position + start]
            if end < len(piece.text) and line_levels[position + end] == level:
                continue
            cut.append(Piece(piece.text[start:end], piece.font, level % 2 == 1, piece.color))
            cut_levels.append(level)
            start = end
        position += len(piece.text)
    return bidi.visual_order(cut, cut_levels)


@lru_cache(maxsize=1)
def has_layout() -> bool:
    """Whether Pillow has its complex text layout (libraqm), which shapes and orders text."""
    return bool(features.check_feature("raqm"))


def _direction(piece: Piece) -> str | None:
    return "rtl" if piece.rtl and has_layout() else None


def _length(piece: Piece, face: ImageFont.FreeTypeFont) -> float:
    length = piece.font.getlength(piece.text, direction=_direction(piece))
    return length * face.size / piece.font.size if piece.color else length


@lru_cache(maxsize=1)
def _shipped_characters() -> frozenset[int]:
    """What Noto Sans and the symbol subsets shipped with passkit draw."""
    return _characters(FONT_FILE).union(*(_characters(path) for path in FALLBACK_FILES))


def missing_fonts(text: str) -> list[scripts.ScriptFont]:
    """The script fonts, not installed, that would draw what is now drawn as empty boxes."""
    return [] if text.isascii() else scripts.missing(text, _shipped_characters())


def text_width(text: str, face: ImageFont.FreeTypeFont) -> float:
    return sum(_length(piece, face) for piece in pieces(text, face))


def draw_text(
    image: Image.Image,
    left: float,
    top: float,
    text: str,
    face: ImageFont.FreeTypeFont,
    fill: tuple[int, ...],
) -> None:
    """Draw one line whose top is at `top`; pieces in other fonts share `face`'s baseline."""
    drawn = pieces(text, face)
    draw = ImageDraw.Draw(image)
    if len(drawn) == 1 and drawn[0].font is face and not drawn[0].rtl:
        draw.text((left, top), text, font=face, fill=fill, anchor="la")
        return
    baseline = top + face.getmetrics()[0]
    for piece in drawn:
        if piece.color:
            _draw_color(image, left, baseline, piece, face)
        else:
            draw.text(
                (left, baseline),
                piece.text,
                font=piece.font,
                fill=fill,
                anchor="ls",
                direction=_direction(piece),
            )
        left += _length(piece, face)


def _draw_color(
    image: Image.Image, left: float, baseline: float, piece: Piece, face: ImageFont.FreeTypeFont
) -> None:
    """Draw emoji from a color bitmap font: at the font's one size, scaled to `face`'s, laid
    over the image on `face`'s baseline."""
    scale = face.size / piece.font.size
    ascent, descent = piece.font.getmetrics()
    tile = Image.new(
        "RGBA", (max(1, math.ceil(piece.font.getlength(piece.text))), ascent + descent)
    )
    ImageDraw.Draw(tile).text(
        (0, ascent), piece.text, font=piece.font, anchor="ls", embedded_color=True
    )
    tile = tile.resize(
        (max(1, round(tile.width * scale)), max(1, round(tile.height * scale))),
        Image.Resampling.LANCZOS,
    )
    x, y = round(left), round(baseline - ascent * scale)
    box = (x, y, x + tile.width, y + tile.height)
    region = image.crop(box).convert("RGBA")
    region.alpha_composite(tile)
    image.paste(region.convert(image.mode), box)


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
