"""Fonts for the scripts Noto Sans does not draw, from Debian's Noto font packages.

Both wallets draw Arabic, Hebrew, Thai, Chinese, Japanese, Korean and emoji from the phone's own
fonts. Noto Sans (the preview's font) has none of them, and the Noto fonts that do are large
(the CJK collection alone is about 20 MB), so passkit does not ship them: it draws them from
Debian's packages when they are installed (`apt-get install fonts-noto-core fonts-noto-cjk
fonts-noto-color-emoji`), and `passkit lint` names the package a text needs when it is not, rather
than the preview drawing empty boxes without a word.

Each script font takes the characters of its Unicode blocks that its file draws; the blocks also
say which package would draw a character when the file is absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Where Debian's fonts-noto-* packages put their files.
FONT_DIRECTORIES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype/noto"),
)

# Noto Color Emoji holds bitmaps of one size only: it is loaded at that size and scaled.
EMOJI_SIZE = 109

# The faces of the Noto Sans CJK collection used for each language's glyph forms.
CJK_JAPANESE, CJK_KOREAN, CJK_SIMPLIFIED_CHINESE = 0, 1, 2

Blocks = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ScriptFont:
    """A Noto font for one script: its files, the Debian package that installs them, and the
    Unicode blocks it draws for the preview."""

    script: str
    package: str
    regular: str
    bold: str
    blocks: Blocks

    def covers(self, code: int) -> bool:
        return any(first <= code <= last for first, last in self.blocks)

    def file(self, weight: int) -> Path | None:
        """The installed file for a weight (bold from 600 up), or None when not installed."""
        return _installed(self.bold if weight >= 600 else self.regular, FONT_DIRECTORIES)

    @property
    def is_emoji(self) -> bool:
        return self is EMOJI


@lru_cache(maxsize=64)
def _installed(name: str, directories: tuple[Path, ...]) -> Path | None:
    """The first of `directories` holding a font file (looked for once: a line is measured
    many times while it is fitted)."""
    for directory in directories:
        if (directory / name).is_file():
            return directory / name
    return None


ARABIC = ScriptFont(
    "Arabic",
    "fonts-noto-core",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    ((0x0600, 0x06FF), (0x0750, 0x077F), (0x0870, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)),
)
HEBREW = ScriptFont(
    "Hebrew",
    "fonts-noto-core",
    "NotoSansHebrew-Regular.ttf",
    "NotoSansHebrew-Bold.ttf",
    ((0x0590, 0x05FF), (0xFB1D, 0xFB4F)),
)
THAI = ScriptFont(
    "Thai",
    "fonts-noto-core",
    "NotoSansThai-Regular.ttf",
    "NotoSansThai-Bold.ttf",
    ((0x0E00, 0x0E7F),),
)
DEVANAGARI = ScriptFont(  # Noto Sans itself draws most of it; this takes what it lacks
    "Devanagari",
    "fonts-noto-core",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansDevanagari-Bold.ttf",
    ((0x0900, 0x097F), (0xA8E0, 0xA8FF)),
)
CJK = ScriptFont(
    "Chinese, Japanese and Korean",
    "fonts-noto-cjk",
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJK-Bold.ttc",
    (
        (0x1100, 0x11FF),  # Hangul Jamo
        (0x2E80, 0x2FDF),  # radicals
        (0x3000, 0x33FF),  # punctuation, kana, bopomofo, compatibility jamo, enclosed CJK
        (0x3400, 0x4DBF),  # ideographs, extension A
        (0x4E00, 0x9FFF),  # unified ideographs
        (0xA960, 0xA97F),  # Hangul Jamo extended A
        (0xAC00, 0xD7FF),  # Hangul syllables, Jamo extended B
        (0xF900, 0xFAFF),  # compatibility ideographs
        (0xFE30, 0xFE4F),  # compatibility forms
        (0xFF00, 0xFFEF),  # half- and full-width forms
        (0x20000, 0x3134F),  # ideographs, extensions B-G
    ),
)
EMOJI = ScriptFont(
    "emoji",
    "fonts-noto-color-emoji",
    "NotoColorEmoji.ttf",
    "NotoColorEmoji.ttf",
    ((0x2190, 0x2BFF), (0x1F000, 0x1FAFF)),  # symbol blocks the symbol subsets leave out
)

# In the order the preview tries them (the symbol subsets shipped with passkit come first).
SCRIPT_FONTS: tuple[ScriptFont, ...] = (ARABIC, HEBREW, THAI, DEVANAGARI, CJK, EMOJI)


@lru_cache(maxsize=1024)
def script_font_for(code: int) -> ScriptFont | None:
    """The script font whose blocks hold a character, installed or not."""
    for script_font in SCRIPT_FONTS:
        if script_font.covers(code):
            return script_font
    return None


def cjk_face_index(text: str) -> int:
    """The face of the CJK collection for a run: kana reads as Japanese, Hangul as Korean, and
    ideographs alone as Chinese."""
    codes = [ord(character) for character in text]
    if any(0x3040 <= code <= 0x30FF or 0x31F0 <= code <= 0x31FF for code in codes):
        return CJK_JAPANESE
    if any(
        0xAC00 <= code <= 0xD7FF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F
        for code in codes
    ):
        return CJK_KOREAN
    return CJK_SIMPLIFIED_CHINESE


def missing(text: str, drawn: frozenset[int]) -> list[ScriptFont]:
    """The script fonts that would draw characters of `text` that no installed font draws
    (`drawn` holds what Noto Sans and the symbol subsets draw)."""
    needed: list[ScriptFont] = []
    for character in text:
        code = ord(character)
        if code in drawn:
            continue
        script_font = script_font_for(code)
        if script_font is not None and script_font not in needed and script_font.file(400) is None:
            needed.append(script_font)
    return needed
