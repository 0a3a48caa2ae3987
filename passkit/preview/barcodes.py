"""Barcodes drawn for real: the modules of a QR, PDF417, Aztec or Code 128 symbol.

Each symbology is encoded by a well-kept library (segno, pdf417gen, aztec_code_generator,
python-barcode); this module turns what each returns into one `Symbol`, a grid of dark and light
modules with its quiet zone, and draws it with whole pixels per module so that a decoder can read
it from the image. It also says when a message is too long for its symbology, or would make a
symbol too dense to scan from a phone screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import aztec_code_generator
import barcode as python_barcode
import pdf417gen
import segno
from PIL import Image

from passkit.errors import WalletRuleError
from passkit.model.choices import BarcodeFormat
from passkit.model.parts import Barcode

# How many modules across a wallet can show on a phone screen and still be scanned: the
# barcode area is about 140 points square for QR and Aztec codes and 280 points wide for
# PDF417 and Code 128 symbols, and a scanner needs a module of about 2 points (2D) or
# 1 point (1D bars) there.
MAX_MODULES_ACROSS = {
    BarcodeFormat.QR: 65,  # QR version 12
    BarcodeFormat.AZTEC: 67,  # a full-range Aztec code of 12 layers
    BarcodeFormat.PDF417: 280,
    BarcodeFormat.CODE128: 260,
}
# Quiet zones (modules of light space around the symbol) each standard asks for.
QUIET_ZONE = {
    BarcodeFormat.QR: 4,
    BarcodeFormat.AZTEC: 2,
    BarcodeFormat.PDF417: 2,
    BarcodeFormat.CODE128: 10,
}
FORMAT_NAMES = {
    BarcodeFormat.QR: "QR",
    BarcodeFormat.AZTEC: "Aztec",
    BarcodeFormat.PDF417: "PDF417",
    BarcodeFormat.CODE128: "Code 128",
}
PDF417_ROW_HEIGHT = 3  # modules: the usual height of a PDF417 row
PDF417_ASPECT = 3.0  # width / height wallets aim for
CODE128_HEIGHT = 50  # modules: bars about as tall as a phone shows them


@dataclass(frozen=True)
class Symbol:
    """A barcode as modules: `rows` of 0/1 bytes, each row `row_height` modules tall."""

    format: BarcodeFormat
    rows: tuple[bytes, ...]
    row_height: int
    quiet_zone: int

    @property
    def columns(self) -> int:
        return len(self.rows[0])

    @property
    def modules_across(self) -> int:
        return self.columns

    def size(self, module_px: int) -> tuple[int, int]:
        """The image's size in pixels, quiet zone included."""
        width = (self.columns + 2 * self.quiet_zone) * module_px
        height = (len(self.rows) * self.row_height + 2 * self.quiet_zone) * module_px
        return width, height

    def draw(self, module_px: int) -> Image.Image:
        """Black modules on white, `module_px` pixels per module, with the quiet zone."""
        rows = len(self.rows)
        grid = Image.new("1", (self.columns, rows), 1)
        grid.putdata([0 if dark else 1 for row in self.rows for dark in row])
        width, height = self.size(module_px)
        image = Image.new("L", (width, height), 255)
        scaled = grid.convert("L").resize(
            (self.columns * module_px, rows * self.row_height * module_px),
            Image.Resampling.NEAREST,
        )
        image.paste(scaled, (self.quiet_zone * module_px, self.quiet_zone * module_px))
        return image


def encode(code: Barcode) -> Symbol:
    """The symbol of a barcode; WalletRuleError when the message does not fit the symbology."""
    return _encode(code.format, code.message, code.encoding)


@lru_cache(maxsize=256)
def _encode(kind: BarcodeFormat, message: str, encoding: str) -> Symbol:
    try:
        if kind is BarcodeFormat.QR:
            rows = _qr(message, encoding)
            row_height = 1
        elif kind is BarcodeFormat.AZTEC:
            rows = _aztec(message, encoding)
            row_height = 1
        elif kind is BarcodeFormat.PDF417:
            rows = _pdf417(message, encoding)
            row_height = PDF417_ROW_HEIGHT
        else:
            rows = (_code128(message),)
            row_height = CODE128_HEIGHT
    except WalletRuleError:
        raise
    except Exception as exc:  # each library says "too long" in its own way
        raise WalletRuleError(
            f"barcode.message: {len(message)} characters do not fit in a "
            f"{FORMAT_NAMES[kind]} barcode ({exc}); shorten the message or choose a barcode "
            "format that holds more"
        ) from None
    return Symbol(format=kind, rows=rows, row_height=row_height, quiet_zone=QUIET_ZONE[kind])


def density_problem(code: Barcode) -> str | None:
    """Why the barcode of a pass will be hard or impossible to scan, or None when it is fine."""
    try:
        symbol = encode(code)
    except WalletRuleError as exc:
        return str(exc).removeprefix("barcode.message: ")
    limit = MAX_MODULES_ACROSS[code.format]
    if symbol.modules_across > limit:
        return (
            f"a {FORMAT_NAMES[code.format]} barcode of {len(code.message)} characters is "
            f"{symbol.modules_across} modules wide, more than the {limit} a phone screen shows "
            "sharply enough to scan; shorten the message (an id that the scanner looks up)"
        )
    return None


def _qr(message: str, encoding: str) -> tuple[bytes, ...]:
    qr = segno.make_qr(message, error="m", encoding=encoding, boost_error=False)
    return tuple(bytes(row) for row in qr.matrix)


def _aztec(message: str, encoding: str) -> tuple[bytes, ...]:
    latin1 = encoding.lower().replace("_", "-") in ("iso-8859-1", "latin-1", "latin1")
    # Without an ECI marker a reader assumes ISO-8859-1; any other encoding is announced.
    code = aztec_code_generator.AztecCode(
        message if latin1 else message.encode(encoding), encoding=None if latin1 else encoding
    )
    return tuple(bytes(row) for row in code.matrix)


def _pdf417(message: str, encoding: str) -> tuple[bytes, ...]:
    best: list[list[int]] | None = None
    best_error = float("inf")
    for columns in range(2, 31):
        try:
            codes = pdf417gen.encode(message, columns=columns, security_level=2, encoding=encoding)
        except ValueError:
            continue
        width, height = pdf417gen.rendering.barcode_size(codes)
        error = abs(width / (height * PDF417_ROW_HEIGHT) - PDF417_ASPECT)
        if error < best_error:
            best, best_error = codes, error
    if best is None:
        raise WalletRuleError(
            f"barcode.message: {len(message)} characters do not fit in a PDF417 barcode; "
            "shorten the message"
        )
    width, height = pdf417gen.rendering.barcode_size(best)
    grid = [bytearray(width) for _ in range(height)]
    for x, y in pdf417gen.rendering.modules(best):
        grid[y][x] = 1
    return tuple(bytes(row) for row in grid)


def _code128(message: str) -> bytes:
    bars: str = python_barcode.get_barcode_class("code128")(message).build()[0]
    return bytes(1 if bar == "1" else 0 for bar in bars)
