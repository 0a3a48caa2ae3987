"""A drawing surface measured in points, as the wallets' own layouts are.

The wallets lay a pass out in points; the preview draws at `SCALE` pixels per point so that text
is crisp and a barcode has whole pixels per module. Every text drawn into a slot of fixed width
is fitted the way a wallet fits it (cut with an ellipsis), and each cut is remembered: the
design warnings about truncated text come from the very geometry that draws the image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from PIL import Image, ImageDraw, ImageOps

from passkit.colors import Color
from passkit.images import ImageSource
from passkit.preview import fonts

SCALE = 2  # pixels per point

Align = Literal["left", "center", "right"]
Fill = tuple[int, int, int] | tuple[int, int, int, int]


@dataclass(frozen=True)
class Cut:
    """A text that did not fit its slot: where it belongs, what it says, what is shown."""

    where: str
    text: str
    shown: str


@dataclass(frozen=True)
class Face:
    """One drawn side of a pass in one wallet: the image and the texts it had to cut."""

    title: str
    wallet: Literal["apple", "google"]
    image: Image.Image
    cuts: tuple[Cut, ...]


@lru_cache(maxsize=64)
def decode_image(source: ImageSource) -> Image.Image:
    """A source decoded once, upright, with an alpha channel (never modify the result)."""
    return ImageOps.exif_transpose(source.open()).convert("RGBA")


def px(points: float) -> int:
    return round(points * SCALE)


def rgb(color: Color) -> tuple[int, int, int]:
    return (color.red, color.green, color.blue)


@dataclass
class Canvas:
    width: float
    height: float
    background: Fill = (255, 255, 255)
    image: Image.Image = field(init=False)
    draw: ImageDraw.ImageDraw = field(init=False)
    cuts: list[Cut] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.image = Image.new("RGBA", (px(self.width), px(self.height)), self.background)
        self.draw = ImageDraw.Draw(self.image)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        color: Fill,
        weight: int = fonts.REGULAR,
        width: float | None = None,
        align: Align = "left",
        where: str | None = None,
        min_size: float | None = None,
    ) -> float:
        """Draw one line whose top is at `y`; returns the width it took, in points.

        With `width`, the line is fitted into that slot and `align` places it there; with
        `min_size`, a text too wide is first drawn smaller (as Wallet shrinks big values), down
        to that size, before it is cut.
        """
        face = fonts.font(px(size), weight)
        if width is not None and min_size is not None:
            while size > min_size and fonts.text_width(text, face) > px(width):
                size = max(min_size, size - 1)
                face = fonts.font(px(size), weight)
        shown = text
        if width is not None:
            shown, was_cut = fonts.fit(text, face, px(width))
            if was_cut and where is not None:
                self.cuts.append(Cut(where=where, text=text, shown=shown))
        taken = fonts.text_width(shown, face) / SCALE
        left = x
        if width is not None and align == "right":
            left = x + width - taken
        elif width is not None and align == "center":
            left = x + (width - taken) / 2
        fonts.draw_text(self.image, px(left), px(y), shown, face, color)
        return taken

    def measure(self, text: str, *, size: float, weight: int = fonts.REGULAR) -> float:
        return fonts.text_width(text, fonts.font(px(size), weight)) / SCALE

    def lines(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        color: Fill,
        width: float,
        weight: int = fonts.REGULAR,
        leading: float = 1.3,
    ) -> float:
        """Draw wrapped text; returns the height it took, in points."""
        face = fonts.font(px(size), weight)
        rows = fonts.wrap(text, face, px(width))
        for index, row in enumerate(rows):
            top = y + index * size * leading
            fonts.draw_text(self.image, px(x), px(top), row, face, color)
        return len(rows) * size * leading

    def rectangle(
        self, box: tuple[float, float, float, float], *, fill: Fill, radius: float = 0
    ) -> None:
        scaled = (px(box[0]), px(box[1]), px(box[2]) - 1, px(box[3]) - 1)
        if radius:
            self.draw.rounded_rectangle(scaled, radius=px(radius), fill=fill)
        else:
            self.draw.rectangle(scaled, fill=fill)

    def line(
        self, start: tuple[float, float], end: tuple[float, float], *, fill: Fill, width: float
    ) -> None:
        self.draw.line(
            (px(start[0]), px(start[1]), px(end[0]), px(end[1])), fill=fill, width=px(width)
        )

    def polygon(self, points: list[tuple[float, float]], *, fill: Fill) -> None:
        self.draw.polygon([(px(x), px(y)) for x, y in points], fill=fill)

    def paste(
        self,
        pasted: Image.Image,
        box: tuple[float, float, float, float],
        *,
        mode: Literal["cover", "contain"] = "contain",
        align: Align = "left",
        circle: bool = False,
    ) -> tuple[float, float]:
        """Place an image in a box: `cover` fills and crops it, `contain` fits it whole.

        Returns the size it took, in points (for `contain`, smaller than the box if the
        image's shape differs from the box's).
        """
        left, top, right, bottom = (px(v) for v in box)
        size = (max(1, right - left), max(1, bottom - top))
        pasted = pasted.convert("RGBA")
        if mode == "cover":
            fitted = ImageOps.fit(pasted, size, method=Image.Resampling.LANCZOS)
        else:
            fitted = ImageOps.contain(pasted, size, method=Image.Resampling.LANCZOS)
        offset_x = left
        if mode == "contain" and align == "right":
            offset_x = right - fitted.width
        elif mode == "contain" and align == "center":
            offset_x = left + (size[0] - fitted.width) // 2
        offset_y = top + (size[1] - fitted.height) // 2 if mode == "contain" else top
        mask = fitted.getchannel("A")
        if circle:
            ring = Image.new("L", fitted.size, 0)
            ImageDraw.Draw(ring).ellipse((0, 0, fitted.width - 1, fitted.height - 1), fill=255)
            mask = Image.composite(mask, ring, ring)
        self.image.paste(fitted, (offset_x, offset_y), mask)
        return fitted.width / SCALE, fitted.height / SCALE

    def rounded(self, radius: float) -> Image.Image:
        """The image with transparent rounded corners, as a card looks on a phone."""
        mask = Image.new("L", self.image.size, 0)
        ImageDraw.Draw(mask).rounded_rectangle(
            (0, 0, self.image.width - 1, self.image.height - 1), radius=px(radius), fill=255
        )
        card = self.image.copy()
        card.putalpha(Image.composite(card.getchannel("A"), mask, mask))
        return card
