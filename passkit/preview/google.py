"""Google Wallet as a designer sees it: the card of a pass.

Google's card is one template for every type: the logo in a circle beside the card title, a big
header (with a small subheader over it), up to three rows of fields, the barcode in a white box,
and the hero image across the bottom. What fills each place is read from the class and object
`passkit.google` compiles (see `google_view`). Google picks white or dark text for the
background colour itself; the pass's text colours are Apple's alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from passkit.errors import WalletRuleError
from passkit.google.options import GoogleOptions
from passkit.model.pass_ import Pass
from passkit.preview import fonts
from passkit.preview.apple import share
from passkit.preview.barcode_box import barcode_box
from passkit.preview.canvas import SCALE, Align, Canvas, Face, Fill, decode_image, px, rgb
from passkit.preview.google_view import GoogleItem, GoogleView, google_view
from passkit.preview.rules import google_colors

WIDTH = 340.0
MARGIN = 16.0
CORNER = 16.0
LOGO = 40.0
HERO_SIZE = (1032, 336)  # Google's recommended hero image size, in pixels
LABEL_SIZE = 11.0
VALUE_SIZE = 15.0
ROW_HEIGHT = 44.0
MAX_ROWS = 3  # Google's card template has at most three rows


@dataclass(frozen=True)
class _CardLayout:
    """Where a card's parts go, in points from its top."""

    header_top: float
    rows_top: float
    height: float
    hero_height: float


def draw_card(p: Pass, language: str, options: GoogleOptions | None = None) -> Face:
    """The Google card of `p`; a card that says why when Google cannot make the pass."""
    try:
        view = google_view(p, language, options)
    except WalletRuleError as exc:
        return _refusal(p, str(exc))
    background, text = google_colors(view.background)
    ink: Fill = rgb(text)
    soft: Fill = (*rgb(text), 190)

    box = None
    if p.barcode is not None:
        box = barcode_box(p.barcode, view.barcode_text, max_width=WIDTH - 2 * MARGIN)
    rows = view.rows[:MAX_ROWS]
    layout = _card_layout(view, box, len(rows))
    height = layout.height

    c = Canvas(WIDTH, height, background=(*rgb(background), 255))
    _title(c, view, ink)
    c.line(
        (0, layout.header_top - 9), (WIDTH, layout.header_top - 9), fill=(*rgb(text), 60), width=0.5
    )
    _header(c, view, layout.header_top, ink, soft)
    y = layout.rows_top
    for row in rows:
        _row(c, y, row, ink, soft)
        y += ROW_HEIGHT
    if box is not None:
        left = (px(WIDTH) - box.image.width) // 2
        c.image.paste(box.image, (left, px(y + 8)), box.image)
        c.cuts.extend(box.cuts)
    if view.hero is not None:
        c.paste(
            decode_image(view.hero), (0, height - layout.hero_height, WIDTH, height), mode="cover"
        )
    return Face("Google Wallet", "google", c.rounded(CORNER), tuple(c.cuts))


def _card_layout(view: GoogleView, box: Canvas | None, row_count: int) -> _CardLayout:
    """The heights of the header, the rows, the barcode's box and the hero image, added up."""
    header_top = MARGIN + LOGO + 18
    header_height = (14.0 if view.subheader else 0.0) + (34.0 if view.header else 0.0)
    rows_top = header_top + header_height + 8
    height = rows_top + ROW_HEIGHT * row_count + 8
    if box is not None:
        height += box.image.height / SCALE + 16
    hero_height = WIDTH * HERO_SIZE[1] / HERO_SIZE[0] if view.hero else 0.0
    height += hero_height
    return _CardLayout(header_top, rows_top, height, hero_height)


def _title(c: Canvas, view: GoogleView, ink: Fill) -> None:
    """The logo in its circle, and the card title beside it."""
    title_left = MARGIN
    if view.logo is not None:
        c.paste(
            decode_image(view.logo),
            (MARGIN, MARGIN, MARGIN + LOGO, MARGIN + LOGO),
            mode="cover",
            circle=True,
        )
        title_left += LOGO + 12
    c.text(
        title_left,
        MARGIN + LOGO / 2 - 11,
        view.card_title,
        size=15,
        weight=fonts.MEDIUM,
        color=ink,
        width=WIDTH - MARGIN - title_left,
        where=view.card_title_where,
    )


def _header(c: Canvas, view: GoogleView, top: float, ink: Fill, soft: Fill) -> None:
    """The small subheader, and the big header under it."""
    y = top
    if view.subheader:
        c.text(MARGIN, y, view.subheader, size=12, color=soft, width=WIDTH - 2 * MARGIN)
        y += 14
    if view.header:
        c.text(
            MARGIN,
            y,
            view.header,
            size=24,
            color=ink,
            width=WIDTH - 2 * MARGIN,
            where=view.header_where,
        )


def _refusal(p: Pass, reason: str) -> Face:
    c = Canvas(WIDTH, 220, background=(255, 244, 229, 255))
    c.text(
        MARGIN,
        MARGIN,
        "Google Wallet cannot make this pass",
        size=15,
        weight=fonts.BOLD,
        color=(150, 80, 0),
        width=WIDTH - 2 * MARGIN,
    )
    used = c.lines(
        MARGIN, MARGIN + 28, reason, size=12, color=(60, 60, 67), width=WIDTH - 2 * MARGIN
    )
    c.image = c.image.crop((0, 0, px(WIDTH), px(max(120.0, MARGIN + 28 + used + MARGIN))))
    return Face("Google Wallet", "google", c.rounded(CORNER), ())


def _row(c: Canvas, y: float, row: tuple[GoogleItem, ...], ink: Fill, soft: Fill) -> None:
    # Google places one field at the start, two at both ends, three at start, middle and end.
    row = row[:3]
    available = WIDTH - 2 * MARGIN - 12 * (len(row) - 1)
    naturals = [
        max(c.measure(item.label, size=LABEL_SIZE), c.measure(item.value, size=VALUE_SIZE)) + 1
        for item in row
    ]
    slot = available / len(row)
    widths = share(naturals, available) if len(row) != 3 else [slot] * 3
    aligns: list[Align] = ["left", "right"] if len(row) == 2 else ["left", "center", "right"]
    positions = {
        1: [MARGIN],
        2: [MARGIN, WIDTH - MARGIN - widths[-1]],
        3: [MARGIN, MARGIN + slot + 12, WIDTH - MARGIN - slot],
    }[len(row)]
    for item, width, align, x in zip(row, widths, aligns, positions, strict=False):
        if item.label:
            label_where = item.where.removesuffix(".value") + ".label"
            c.text(
                x,
                y,
                item.label,
                size=LABEL_SIZE,
                color=soft,
                width=width,
                align=align,
                where=label_where,
            )
        c.text(
            x,
            y + LABEL_SIZE * 1.4,
            item.value,
            size=VALUE_SIZE,
            color=ink,
            width=width,
            align=align,
            where=item.where,
        )
