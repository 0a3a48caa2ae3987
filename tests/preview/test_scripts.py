"""The preview draws every script a pass may be written in: Arabic and Hebrew right to left and
shaped, Japanese, and emoji, each from its Noto font, never as the missing-glyph box."""

from __future__ import annotations

import pytest
from PIL import Image

from passkit.preview import bidi, fonts, lint_pass, scripts
from passkit.preview.apple import draw_front
from tests.preview.support import loyalty_pass

ARABIC = "مرحبا بكم في دبي"
HEBREW = "ברוכים הבאים"
JAPANESE = "東京へようこそ"
EMOJI = "😀"
NO_GLYPH = "\uffff"  # a noncharacter: every font draws its .notdef box for it


def needs(script_font: scripts.ScriptFont) -> None:
    """Skip when the script's font is not installed (.ci/run installs it)."""
    if script_font.file(fonts.REGULAR) is None:
        pytest.skip(
            f"the {script_font.script} font is not installed: apt-get install {script_font.package}"
        )


def needs_layout(script_font: scripts.ScriptFont) -> None:
    """Skip also when Pillow cannot shape text (its libraqm loads Debian's libfribidi0)."""
    needs(script_font)
    if not fonts.has_layout():
        pytest.skip("Pillow's text layout (libraqm) is unavailable: apt-get install libfribidi0")


def ink(text: str, size: int = 40) -> Image.Image:
    """The line drawn by the preview, black on white, as greyscale."""
    face = fonts.font(size)
    image = Image.new("L", (round(fonts.text_width(text, face)) + 20, size * 3), 255)
    fonts.draw_text(image, 10, size // 2, text, face, (0,))
    return image


def glyph_spans(image: Image.Image) -> list[tuple[int, int]]:
    """The column ranges of ink separated by blank columns, from left to right."""
    inverted = Image.eval(image.convert("L"), lambda value: 255 - value)
    spans: list[tuple[int, int]] = []
    start = None
    for x in range(inverted.width):
        inked = inverted.crop((x, 0, x + 1, inverted.height)).getbbox() is not None
        if inked and start is None:
            start = x
        elif not inked and start is not None:
            spans.append((start, x))
            start = None
    if start is not None:
        spans.append((start, inverted.width))
    return spans


def assert_no_box(text: str) -> None:
    """Every character of `text` has a font that has it, and none is drawn as the box."""
    box = ink(NO_GLYPH).tobytes()
    face = fonts.font(40)
    for piece, typeface in fonts.runs(text, face):
        if piece.strip():
            assert typeface is not face, piece  # Noto Sans would draw it as boxes
    for character in text.replace(" ", ""):
        drawn = ink(character)
        assert drawn.getbbox() is not None, character
        assert drawn.tobytes() != box, character


@pytest.mark.parametrize(
    ("text", "script_font"),
    [(ARABIC, scripts.ARABIC), (HEBREW, scripts.HEBREW), (JAPANESE, scripts.CJK)],
)
def test_no_letter_is_drawn_as_the_missing_glyph_box(
    text: str, script_font: scripts.ScriptFont
) -> None:
    needs(script_font)
    assert_no_box(text)
    # A whole line too: its width is not that of as many boxes.
    box_width = fonts.text_width(NO_GLYPH, fonts.font(40))
    assert fonts.text_width(text, fonts.font(40)) != pytest.approx(len(text) * box_width)


def assert_narrow_first_letter_at_the_right(text: str) -> None:
    """`text` is a narrow letter then a wide one: drawn right to left, the narrow one (written
    first) is the one at the right end."""
    spans = glyph_spans(ink(text))
    assert len(spans) == 2
    (left_start, left_end), (right_start, right_end) = spans
    assert right_end - right_start < (left_end - left_start) / 2


def test_hebrew_runs_right_to_left() -> None:
    needs_layout(scripts.HEBREW)
    assert_narrow_first_letter_at_the_right("וש")  # vav, a thin stroke, then shin


def test_arabic_runs_right_to_left_and_its_letters_join() -> None:
    needs_layout(scripts.ARABIC)
    # Alef, a tall stroke that does not join the letter after it, then beh.
    assert_narrow_first_letter_at_the_right("اب")
    # Three behs written together join into one word; apart, they are three letters.
    assert len(glyph_spans(ink("ببب"))) == 1
    assert len(glyph_spans(ink("ب ب ب"))) == 3


def test_a_line_of_mixed_directions_is_ordered_by_the_bidirectional_algorithm() -> None:
    needs(scripts.HEBREW)
    face = fonts.font(40)
    # A Hebrew line: read from the right, so the number that ends it is drawn at the left.
    assert [(piece.text, piece.rtl) for piece in fonts.pieces("שער 12", face)] == [
        ("12", False),
        (" ", True),
        ("שער", True),
    ]
    # An English line with a Hebrew name: the name keeps its own direction inside it.
    drawn = fonts.pieces("Gate שער ראשי", face)
    assert [piece.text for piece in drawn] == ["Gate ", "ראשי", " ", "שער"]


def test_japanese_is_drawn_with_the_japanese_forms_of_the_cjk_font() -> None:
    needs(scripts.CJK)
    [(piece, typeface)] = fonts.runs(JAPANESE, fonts.font(40))
    assert piece == JAPANESE
    assert typeface.getname()[0] == "Noto Sans CJK JP"
    [(_, korean)] = fonts.runs("서울", fonts.font(40))
    assert korean.getname()[0] == "Noto Sans CJK KR"


def test_an_emoji_is_drawn_in_colour_at_the_size_of_the_text() -> None:
    needs(scripts.EMOJI)
    face = fonts.font(40)
    width = fonts.text_width(EMOJI, face)
    assert 30 < width < 60  # scaled from the font's one bitmap size
    image = Image.new("RGBA", (200, 120), (255, 255, 255, 255))
    fonts.draw_text(image, 10, 20, f"H{EMOJI}", face, (0, 0, 0))
    emoji_area = image.crop((10 + round(fonts.text_width("H", face)), 0, 200, 120))
    counted = emoji_area.convert("RGB").getcolors(maxcolors=1 << 16) or []
    colours = [pixel for _, pixel in counted if max(pixel) - min(pixel) > 60]
    assert len(colours) > 20  # a yellow face, not a black outline or a box
    box = Image.new("RGBA", (200, 120), (255, 255, 255, 255))
    fonts.draw_text(box, 10, 20, f"H{NO_GLYPH}", face, (0, 0, 0))
    assert image.tobytes() != box.tobytes()
    # It stands on the line of the text: its foot is near the H's, not below the line.
    h_box = Image.eval(ink("H"), lambda value: 255 - value).getbbox()
    emoji_box = emoji_area.convert("L").point(lambda value: 255 if value < 250 else 0).getbbox()
    assert h_box is not None and emoji_box is not None
    assert abs(emoji_box[3] - h_box[3]) < 15


def test_a_pass_in_arabic_is_drawn_without_boxes_and_lints_clean() -> None:
    needs(scripts.ARABIC)
    p = loyalty_pass(
        language="ar", secondary=[{"key": "member", "label": "العضو", "value": "سلمى"}]
    )
    assert [w for w in lint_pass(p) if w.code == "missing-font"] == []
    assert draw_front(p, "ar").image.getbbox() is not None


def test_lint_names_the_package_of_a_font_that_is_not_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(scripts, "FONT_DIRECTORIES", ())
    p = loyalty_pass(
        secondary=[{"key": "member", "label": "会員", "value": "サクラ 😀"}],
        back=[{"key": "note", "label": "הערה", "value": "שלום"}],
    )
    warnings = [w for w in lint_pass(p) if w.code == "missing-font"]
    places = {w.where: w.message for w in warnings}
    assert set(places) == {"secondary[0].label", "secondary[0].value", "back[0].label"}
    assert "apt-get install fonts-noto-cjk" in places["secondary[0].label"]
    assert "apt-get install fonts-noto-color-emoji" in places["secondary[0].value"]
    assert "apt-get install fonts-noto-core" in places["back[0].label"]
    assert "Hebrew" in places["back[0].label"]
    # With no font for it, the text is still measured and drawn (as boxes), never an error.
    assert fonts.text_width("שלום", fonts.font(40)) > 0


def test_plain_latin_text_takes_none_of_the_script_fonts() -> None:
    face = fonts.font(40)
    assert fonts.runs("Élodie Ærø → JFK", face)[0][1] is face
    assert fonts.missing_fonts("Élodie Ærø") == []


def test_bidirectional_levels_of_numbers_and_neutrals() -> None:
    # Digits inside Arabic are Arabic numbers, drawn left to right (level 2) in the line.
    assert bidi.levels("رقم 1,000") == [1, 1, 1, 1, 2, 2, 2, 2, 2]
    # In an English line, a Hebrew word is right to left and the spaces around it are not.
    assert bidi.levels("a אב b") == [0, 0, 1, 1, 0, 0]
    # A neutral between two Hebrew words belongs to them; trailing space to the paragraph.
    assert bidi.levels("א - ב ") == [1, 1, 1, 1, 1, 1]
    assert bidi.levels("abc ") == [0, 0, 0, 0]
    assert bidi.visual_order(["a", "b", "c", "d"], [0, 1, 1, 0]) == ["a", "c", "b", "d"]
    assert bidi.visual_order(["x", "1", "y"], [1, 2, 1]) == ["y", "1", "x"]
