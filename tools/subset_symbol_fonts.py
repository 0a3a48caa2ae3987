"""Make the preview's fallback fonts: the symbols Noto Sans lacks, cut from Noto's symbol fonts.

Noto Sans draws Latin, Greek and Cyrillic but no arrows, stars, check marks, planes or other
pictographs, which passes do use ("CDG → JFK", "★ Gold"). The preview draws those from the
fonts this script writes into passkit/data/fonts: subsets of Noto Sans Symbols 2, Noto Sans
Symbols and Noto Sans Math (SIL Open Font License 1.1) holding only the symbol blocks below,
and in each only what Noto Sans and the fonts before it do not already have.

Run from the repository's root with Debian's fonts-noto-core installed:
    .venv/bin/python tools/subset_symbol_fonts.py [/usr/share/fonts/truetype/noto]
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from passkit.preview.fonts import FALLBACK_FILES, FONT_FILE

# The Unicode blocks of symbols a pass may show.
BLOCKS = {
    "Arrows": (0x2190, 0x21FF),
    "Mathematical Operators": (0x2200, 0x22FF),
    "Miscellaneous Technical": (0x2300, 0x23FF),
    "Enclosed Alphanumerics": (0x2460, 0x24FF),
    "Geometric Shapes": (0x25A0, 0x25FF),
    "Miscellaneous Symbols": (0x2600, 0x26FF),
    "Dingbats": (0x2700, 0x27BF),
    "Supplemental Arrows-A": (0x27F0, 0x27FF),
    "Supplemental Arrows-B": (0x2900, 0x297F),
    "Miscellaneous Symbols and Arrows": (0x2B00, 0x2BFF),
}


def source_of(fallback: Path) -> str:
    """The Noto font a fallback file is cut from: NotoSansMath-subset.ttf from
    NotoSansMath-Regular.ttf."""
    return fallback.name.replace("-subset.ttf", "-Regular.ttf")


def main() -> None:
    noto = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/truetype/noto")
    wanted = {code for first, last in BLOCKS.values() for code in range(first, last + 1)}
    taken = set(TTFont(FONT_FILE).getBestCmap())
    for target in FALLBACK_FILES:  # in the order the preview tries them
        font = TTFont(noto / source_of(target))
        codes = sorted(wanted & set(font.getBestCmap()) - taken)
        taken.update(codes)
        options = subset.Options()
        options.hinting = False  # the preview draws at 2x, where hinting changes nothing seen
        options.name_IDs = ["*"]  # the copyright and licence notices stay in the file
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codes)
        subsetter.subset(font)
        target.parent.mkdir(parents=True, exist_ok=True)
        font.save(target)
        print(f"{target.name}: {len(codes)} symbols, {target.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
