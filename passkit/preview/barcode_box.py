"""The white box a wallet draws its barcode in: the symbol, its quiet zone, its text below."""

from __future__ import annotations

from passkit.model.choices import BarcodeFormat
from passkit.model.parts import Barcode
from passkit.preview import fonts
from passkit.preview.barcodes import encode
from passkit.preview.canvas import SCALE, Canvas, px

PADDING = 6  # points of white around the symbol's quiet zone
ALT_TEXT_SIZE = 11
MAX_MODULE_PX = 8


def module_size(code: Barcode, target: float, max_width: float) -> int:
    """Whole pixels per module: the symbol about `target` points across, never wider than
    `max_width`, and at least two pixels per module whenever that fits, so it stays readable."""
    symbol = encode(code)
    across = symbol.size(1)[0]
    size = max(1, min(MAX_MODULE_PX, px(target) // across))
    if size < 2 and 2 * across <= px(max_width):
        size = 2
    while size > 1 and size * across > px(max_width):
        size -= 1
    return size


def barcode_box(code: Barcode, alt_text: str | None, *, max_width: float) -> Canvas:
    """The barcode in its white rounded box, about as large as the wallets show it.

    The returned canvas remembers an alternative text that had to be cut.
    """
    square = code.format in (BarcodeFormat.QR, BarcodeFormat.AZTEC)
    target = 128.0 if square else 260.0
    inner = max_width - 2 * PADDING
    symbol_image = encode(code).draw(module_size(code, target, inner))
    width = symbol_image.width / SCALE + 2 * PADDING
    text_height = 0.0
    if alt_text:
        face = fonts.font(px(ALT_TEXT_SIZE))
        width = max(width, min(max_width, fonts.text_width(alt_text, face) / SCALE + 4 * PADDING))
        text_height = ALT_TEXT_SIZE * 1.4
    height = symbol_image.height / SCALE + 2 * PADDING + text_height
    box = Canvas(width, height, background=(0, 0, 0, 0))
    box.rectangle((0, 0, width, height), fill=(255, 255, 255, 255), radius=6)
    left = (px(width) - symbol_image.width) // 2
    box.image.paste(symbol_image.convert("RGBA"), (left, px(PADDING)))
    if alt_text:
        box.text(
            PADDING,
            PADDING + symbol_image.height / SCALE - 2,
            alt_text,
            size=ALT_TEXT_SIZE,
            color=(0, 0, 0),
            width=width - 2 * PADDING,
            align="center",
            where="barcode.alt_text",
        )
    return box
