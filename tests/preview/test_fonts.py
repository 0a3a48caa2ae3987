"""The preview's fonts: Noto Sans for text, Noto's symbol fonts for what it lacks."""

from __future__ import annotations

from PIL import Image, ImageDraw

from passkit.preview import fonts

# Symbols passes show: routes, ratings, ticks, crosses, planes, hearts, cups, shapes, phones,
# envelopes, a stopwatch, a warning sign.
PASS_SYMBOLS = "→←↔✈★☆✓✔✗✘♥☕●■▲◆☎✉⏱⚠"
NO_FONT_HAS = "\U00010000"  # Linear B: no font of the preview has it, so an empty box


def _ink(text: str, size: int = 40) -> Image.Image:
    """The line drawn by the preview's text drawing, on a white canvas, as greyscale."""
    face = fonts.font(size)
    image = Image.new("L", (round(fonts.text_width(text, face)) + 20, size * 2), 255)
    fonts.draw_text(image, 10, 10, text, face, (0,))
    return image


def test_plain_text_is_one_run_of_noto_sans() -> None:
    face = fonts.font(30)
    assert fonts.runs("Gold member", face) == [("Gold member", face)]
    assert fonts.runs("Élodie Ærø Straße Ωμέγα Жанна", face) == [
        ("Élodie Ærø Straße Ωμέγα Жанна", face)
    ]


def test_symbols_are_cut_into_runs_of_the_fallback_fonts() -> None:
    face = fonts.font(30)
    pieces = fonts.runs("CDG → JFK ✈", face)
    assert [piece for piece, _ in pieces] == ["CDG ", "→", " JFK ", "✈"]
    assert pieces[0][1] is face and pieces[2][1] is face
    assert pieces[1][1] is not face and pieces[3][1] is not face
    assert all(font.size == face.size for _, font in pieces)
    # What no font has stays with Noto Sans, which draws its empty box.
    assert fonts.runs(f"a{NO_FONT_HAS}", face) == [(f"a{NO_FONT_HAS}", face)]


def test_a_variation_selector_stays_with_its_symbol() -> None:
    # Phones type the plane as the emoji form, U+2708 U+FE0F: the selector must not start a
    # run of its own, where it would be drawn as a dotted circle.
    face = fonts.font(30)
    assert [piece for piece, _ in fonts.runs("✈\ufe0f Paris", face)] == ["✈\ufe0f", " Paris"]
    assert _ink("✈\ufe0f P").tobytes() == _ink("✈ P").tobytes()
    # So does a combining mark, whichever font draws the character it marks.
    star = fonts.runs("★\u0301", face)
    assert len(star) == 1 and star[0][1] is not face


def test_every_symbol_a_pass_commonly_shows_has_a_font() -> None:
    drawn = fonts._characters(fonts.FONT_FILE).union(
        *(fonts._characters(path) for path in fonts.FALLBACK_FILES)
    )
    assert [symbol for symbol in PASS_SYMBOLS if ord(symbol) not in drawn] == []


def test_the_fallbacks_never_take_a_character_from_noto_sans() -> None:
    primary = fonts._characters(fonts.FONT_FILE)
    seen: set[int] = set()
    for path in fonts.FALLBACK_FILES:
        characters = fonts._characters(path)
        assert characters, path
        assert not characters & primary, path
        assert not characters & seen, path  # each symbol comes from one file only
        seen |= characters


def test_a_symbol_is_drawn_as_its_glyph_not_as_the_missing_glyph_box() -> None:
    box = _ink(NO_FONT_HAS).tobytes()
    for symbol in PASS_SYMBOLS:
        drawn = _ink(symbol)
        assert drawn.getbbox() is not None, symbol
        assert drawn.tobytes() != box, symbol
        assert fonts.text_width(symbol, fonts.font(40)) > 0, symbol


def test_symbols_sit_on_the_line_of_the_text_around_them() -> None:
    # The arrow of "H→H" stands between the tops and the feet of the two H's, which rest on
    # the baseline: drawn from its own font's top instead, it would hang lower.
    face = fonts.font(40)
    line = _ink("H→H")
    width_h = fonts.text_width("H", face)
    width_arrow = fonts.text_width("→", face)
    inverted = Image.eval(line, lambda value: 255 - value)
    h_box = inverted.crop((10, 0, 10 + round(width_h), line.height)).getbbox()
    arrow_box = inverted.crop(
        (10 + round(width_h), 0, 10 + round(width_h + width_arrow), line.height)
    ).getbbox()
    assert h_box is not None and arrow_box is not None
    h_top, h_bottom = h_box[1], h_box[3]
    arrow_top, arrow_bottom = arrow_box[1], arrow_box[3]
    assert h_top < arrow_top < arrow_bottom < h_bottom
    # The arrow is drawn about the middle of the capitals, as type sets it.
    middle = (h_top + h_bottom) / 2
    assert abs((arrow_top + arrow_bottom) / 2 - middle) < (h_bottom - h_top) / 4


def test_a_line_of_plain_text_is_drawn_as_before() -> None:
    # One run of Noto Sans goes straight to pillow, anchored at its top as always.
    face = fonts.font(40)
    direct = Image.new("L", (400, 80), 255)
    ImageDraw.Draw(direct).text((10, 10), "Gold member", font=face, fill=0, anchor="la")
    through = Image.new("L", (400, 80), 255)
    fonts.draw_text(through, 10, 10, "Gold member", face, (0,))
    assert direct.tobytes() == through.tobytes()
