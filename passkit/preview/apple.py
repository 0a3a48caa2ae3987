"""Apple Wallet as a designer sees it: the front of a pass in its style, and its back.

Geometry is in points on a 320-point-wide pass, as on an iPhone. The front follows the style's
arrangement: logo, logo text and header fields on top; then the primary field(s), over the strip
image where the style shows one, or beside the thumbnail; the secondary and auxiliary rows; the
footer image of a boarding pass; the barcode at the bottom. An event ticket shows its background
image blurred behind everything and has its notch; a coupon has its perforated edge.
"""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from passkit.apple.styles import image_spec
from passkit.model.choices import Alignment, TransitType
from passkit.model.pass_ import Pass
from passkit.preview import fonts
from passkit.preview.barcode_box import barcode_box
from passkit.preview.canvas import SCALE, Align, Canvas, Face, Fill, decode_image, px, rgb
from passkit.preview.rules import (
    Placed,
    apple_colors,
    apple_front_fields,
    apple_images,
    apple_style,
    images_for,
)
from passkit.preview.values import field_label, field_value

WIDTH = 320.0
MARGIN = 12.0
MIN_HEIGHT = 420.0
CORNER = 12.0
LOGO_BOX = (160.0, 50.0)
TOP_ROW = 62.0
LABEL_SIZE = 10.0
HEADER_VALUE_SIZE = 17.0
ROW_VALUE_SIZE = 15.0
ROW_HEIGHT = 42.0
COLUMN_GAP = 8.0
LOGO_TEXT_SIZE = 17.0
THUMBNAIL_BOX = 90.0
BARCODE_GAP = 12.0
PRIMARY_SHRINK = 0.75  # Wallet draws a big value up to a quarter smaller before cutting it


def _align(field_alignment: Alignment | None, default: Align) -> Align:
    if field_alignment is Alignment.RIGHT:
        return "right"
    if field_alignment is Alignment.CENTER:
        return "center"
    if field_alignment is Alignment.LEFT:
        return "left"
    return default


def share(naturals: list[float], available: float) -> list[float]:
    """Widths for fields side by side: each keeps its own width when it fits, and the widest
    share what is left equally (so only those are cut, as Wallet does)."""
    widths = [0.0] * len(naturals)
    remaining = available
    order = sorted(range(len(naturals)), key=lambda i: naturals[i])
    for done, index in enumerate(order):
        equal = remaining / (len(naturals) - done)
        widths[index] = min(naturals[index], equal)
        remaining -= widths[index]
    return widths


class _Front:
    def __init__(self, p: Pass, language: str) -> None:
        self.p = p
        self.language = language
        self.colors = apple_colors(p)
        self.fg: Fill = rgb(self.colors.foreground)
        self.label: Fill = rgb(self.colors.label)
        self.images = apple_images(p, images_for(p, language))
        self.fields = apple_front_fields(p)
        self.style = apple_style(p)

    # -- sizes decided before drawing, so the background can cover the whole card --

    def body_height(self) -> float:
        if "strip" in self.images:
            spec = image_spec("strip", self.style)
            return WIDTH * spec.height / spec.width
        if self.style == "boardingPass":
            return 76.0
        height = 80.0 if self.fields.primary else 8.0
        if "thumbnail" in self.images:
            height = max(height, THUMBNAIL_BOX + 8)
        return height

    def barcode_canvas(self) -> Canvas | None:
        if self.p.barcode is None:
            return None
        alt = self.p.barcode.alt_text
        return barcode_box(
            self.p.barcode,
            self.p.localized(alt, self.language) if alt else None,
            max_width=WIDTH - 2 * MARGIN,
        )

    def draw(self) -> Face:
        box = self.barcode_canvas()
        rows_height = ROW_HEIGHT * len(self.fields.rows)
        footer_height = 15.0 + 8 if "footer" in self.images else 0.0
        box_height = box.image.height / SCALE + BARCODE_GAP if box else 0.0
        content = TOP_ROW + self.body_height() + 8 + rows_height + footer_height + box_height
        height = max(MIN_HEIGHT, content + MARGIN)
        c = Canvas(WIDTH, height, background=(*rgb(self.colors.background), 255))
        if "background" in self.images:
            self.draw_background(c)
        self.draw_top_row(c)
        y = TOP_ROW
        y = self.draw_body(c, y)
        for row in self.fields.rows:
            self.draw_row(c, y + 6, row)
            y += ROW_HEIGHT
        bottom = height - MARGIN
        if box is not None:
            bottom -= box.image.height / SCALE
            left = (px(WIDTH) - box.image.width) // 2
            c.image.paste(box.image, (left, px(bottom)), box.image)
            c.cuts.extend(box.cuts)
            bottom -= BARCODE_GAP
        if "footer" in self.images:
            c.paste(
                decode_image(self.images["footer"]),
                (MARGIN + 5, bottom - 15, WIDTH - MARGIN - 5, bottom),
                align="center",
            )
        card = c.rounded(CORNER)
        if self.style == "eventTicket":
            _cut_circle(card, (px(WIDTH / 2), 0), px(14))
        elif self.style == "coupon":
            for x in range(6, int(WIDTH), 12):
                _cut_circle(card, (px(x), 0), px(3))
        return Face("Apple Wallet — front", "apple", card, tuple(c.cuts))

    def draw_background(self, c: Canvas) -> None:
        source = decode_image(self.images["background"])
        size = (px(c.width), px(c.height))
        blurred = ImageOps.fit(source, size, method=Image.Resampling.LANCZOS)
        blurred = blurred.filter(ImageFilter.GaussianBlur(px(12)))
        c.image.paste(blurred.convert("RGBA"), (0, 0))

    def draw_top_row(self, c: Canvas) -> None:
        logo_width = 0.0
        if "logo" in self.images:
            logo_width, _ = c.paste(
                decode_image(self.images["logo"]),
                (MARGIN, 6, MARGIN + LOGO_BOX[0], 6 + LOGO_BOX[1]),
            )
        p = self.p
        header = self.fields.header
        naturals = [self.natural(f, HEADER_VALUE_SIZE) for f in header]
        logo_text = p.localized(p.logo_text, self.language) if p.logo_text else ""
        logo_gap = 8.0 if logo_width else 0.0
        room = WIDTH - 2 * MARGIN - logo_width - logo_gap
        if logo_text:
            room -= 40.0  # Wallet keeps some of the logo text visible beside the header
        gaps = COLUMN_GAP * 1.5 * max(0, len(header) - 1)
        widths = share(naturals, max(0.0, room - gaps)) if header else []
        right = WIDTH - MARGIN
        for placed, width in reversed(list(zip(header, widths, strict=True))):
            self.draw_field(c, right - width, 14, width, placed, HEADER_VALUE_SIZE, "right")
            right -= width + COLUMN_GAP * 1.5
        if logo_text:
            left = MARGIN + logo_width + logo_gap
            c.text(
                left,
                31 - LOGO_TEXT_SIZE * 0.75,
                logo_text,
                size=LOGO_TEXT_SIZE,
                weight=fonts.SEMIBOLD,
                color=self.fg,
                width=max(0.0, right - left - COLUMN_GAP),
                where="logo_text",
            )

    def draw_body(self, c: Canvas, y: float) -> float:
        height = self.body_height()
        primary = self.fields.primary
        if "strip" in self.images:
            c.paste(decode_image(self.images["strip"]), (0, y, WIDTH, y + height), mode="cover")
            if primary:
                self.draw_primary_on_strip(c, y, height, primary[0])
        elif self.style == "boardingPass":
            self.draw_trip(c, y, primary)
        else:
            width = WIDTH - 2 * MARGIN
            if "thumbnail" in self.images:
                right = WIDTH - MARGIN
                c.paste(
                    decode_image(self.images["thumbnail"]),
                    (right - THUMBNAIL_BOX, y + 4, right, y + 4 + THUMBNAIL_BOX),
                    align="right",
                )
                width -= THUMBNAIL_BOX + COLUMN_GAP
            if primary:
                self.draw_field(c, MARGIN, y + 8, width, primary[0], 30.0, "left")
        return y + height + 8

    def draw_primary_on_strip(self, c: Canvas, y: float, height: float, placed: Placed) -> None:
        # Store cards and coupons show the value big with the label under it.
        value = field_value(self.p, placed.field, self.language)
        label = field_label(self.p, placed.field, self.language)
        width = WIDTH - 2 * MARGIN
        size = 40.0 if self.style != "eventTicket" else 28.0
        top = y + max(6.0, (height - size * 1.4 - LABEL_SIZE * 1.5) / 2)
        c.text(
            MARGIN,
            top,
            value,
            size=size,
            weight=fonts.REGULAR,
            color=self.fg,
            width=width,
            where=f"{placed.where}.value",
            min_size=size * PRIMARY_SHRINK,
        )
        if label:
            c.text(
                MARGIN,
                top + size * 1.35,
                label,
                size=LABEL_SIZE + 2,
                color=self.label,
                width=width,
                where=f"{placed.where}.label",
            )

    def draw_trip(self, c: Canvas, y: float, primary: tuple[Placed, ...]) -> None:
        half = (WIDTH - 2 * MARGIN - 44) / 2
        if primary:
            self.draw_field(c, MARGIN, y + 6, half, primary[0], 34.0, "left")
        if len(primary) > 1:
            self.draw_field(c, WIDTH - MARGIN - half, y + 6, half, primary[1], 34.0, "right")
        _transit_mark(c, WIDTH / 2, y + 42, self.fg, self.p.transit_type)

    def draw_row(self, c: Canvas, y: float, row: tuple[Placed, ...]) -> None:
        naturals = [self.natural(f, ROW_VALUE_SIZE) for f in row]
        available = WIDTH - 2 * MARGIN - COLUMN_GAP * (len(row) - 1)
        widths = share(naturals, available)
        spare = available - sum(widths)
        gap = COLUMN_GAP + (spare / (len(row) - 1) if len(row) > 1 else 0)
        x = MARGIN
        for index, (placed, width) in enumerate(zip(row, widths, strict=True)):
            last = index == len(row) - 1 and len(row) > 1
            self.draw_field(c, x, y, width, placed, ROW_VALUE_SIZE, "right" if last else "left")
            x += width + gap

    def natural(self, placed: Placed, value_size: float) -> float:
        label = field_label(self.p, placed.field, self.language)
        value = field_value(self.p, placed.field, self.language)
        face_value = fonts.font(px(value_size))
        face_label = fonts.font(px(LABEL_SIZE), fonts.MEDIUM)
        return (
            max(fonts.text_width(value, face_value), fonts.text_width(label, face_label)) / SCALE
            + 1
        )

    def draw_field(
        self,
        c: Canvas,
        x: float,
        y: float,
        width: float,
        placed: Placed,
        value_size: float,
        default: Align,
    ) -> None:
        """A label over its value, in a slot of `width` points."""
        align = _align(placed.field.alignment, default)
        label = field_label(self.p, placed.field, self.language)
        if label:
            c.text(
                x,
                y,
                label,
                size=LABEL_SIZE,
                weight=fonts.MEDIUM,
                color=self.label,
                width=width,
                align=align,
                where=f"{placed.where}.label",
            )
        c.text(
            x,
            y + LABEL_SIZE * 1.35,
            field_value(self.p, placed.field, self.language),
            size=value_size,
            color=self.fg,
            width=width,
            align=align,
            where=f"{placed.where}.value",
            min_size=value_size * PRIMARY_SHRINK if value_size > HEADER_VALUE_SIZE else None,
        )


def _cut_circle(card: Image.Image, center: tuple[int, int], radius: int) -> None:
    alpha = card.getchannel("A")
    x, y = center
    ImageDraw.Draw(alpha).ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)
    card.putalpha(alpha)


def _transit_mark(c: Canvas, x: float, y: float, color: Fill, transit: TransitType | None) -> None:
    """An arrow between origin and destination (Wallet draws the transit type's glyph)."""
    c.line((x - 14, y), (x + 10, y), fill=color, width=2.5)
    c.polygon([(x + 14, y), (x + 6, y - 6), (x + 6, y + 6)], fill=color)


def draw_front(p: Pass, language: str) -> Face:
    return _Front(p, language).draw()


def draw_back(p: Pass, language: str) -> Face:
    """The back of the pass: its back fields, links and messages, as Wallet lists them."""
    c = Canvas(WIDTH, 4000, background=(242, 242, 247, 255))
    y = MARGIN + 4
    title = p.localized(p.organization, language)
    c.text(MARGIN, y, title, size=20, weight=fonts.BOLD, color=(0, 0, 0), width=WIDTH - 2 * MARGIN)
    y += 30
    description = p.localized(p.description, language)
    y += c.lines(MARGIN, y, description, size=13, color=(110, 110, 115), width=WIDTH - 2 * MARGIN)
    y += 10
    rows: list[tuple[str, str, Fill]] = []
    for field in p.back:
        rows.append((field_label(p, field, language), field_value(p, field, language), (0, 0, 0)))
    for link in p.links:
        label = p.localized(link.label, language) if link.label else link.kind.value.title()
        rows.append((label, link.uri, (0, 122, 255)))
    for message in p.messages:
        header = p.localized(message.header, language)
        rows.append((header, p.localized(message.body, language), (0, 0, 0)))
    inner = WIDTH - 2 * MARGIN - 24
    if rows:
        top = y
        heights: list[float] = []
        face = fonts.font(px(15))
        for _, value, _ in rows:
            lines = fonts.wrap(value, face, px(inner))
            heights.append(12 + (LABEL_SIZE + 3) * 1.4 + len(lines) * 15 * 1.3 + 10)
        c.rectangle(
            (MARGIN, top, WIDTH - MARGIN, top + sum(heights)), fill=(255, 255, 255), radius=10
        )
        for index, ((label, value, color), height) in enumerate(zip(rows, heights, strict=True)):
            if index:
                c.line((MARGIN + 12, y), (WIDTH - MARGIN, y), fill=(220, 220, 225), width=0.5)
            c.text(
                MARGIN + 12, y + 10, label, size=LABEL_SIZE + 3, color=(110, 110, 115), width=inner
            )
            c.lines(
                MARGIN + 12,
                y + 10 + (LABEL_SIZE + 3) * 1.4,
                value,
                size=15,
                color=color,
                width=inner,
            )
            y += height
    else:
        c.text(MARGIN, y, "No back fields", size=13, color=(110, 110, 115))
        y += 20
    height = max(MIN_HEIGHT, y + MARGIN)
    c.image = c.image.crop((0, 0, px(WIDTH), px(height)))
    c.height = height
    return Face("Apple Wallet — back", "apple", c.rounded(CORNER), ())
