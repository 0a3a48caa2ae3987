"""Barcodes in previews are real: a decoder reads them back from the image."""

from __future__ import annotations

import pytest

from passkit.errors import WalletRuleError
from passkit.model import Barcode, BarcodeFormat
from passkit.preview import render_png
from passkit.preview.barcodes import density_problem, encode
from tests.preview.support import decode_all, loyalty_pass

ZXING_NAMES = {
    BarcodeFormat.QR: "QR Code",
    BarcodeFormat.PDF417: "PDF417",
    BarcodeFormat.AZTEC: "Aztec",
    BarcodeFormat.CODE128: "Code 128",
}


@pytest.mark.parametrize("symbology", list(BarcodeFormat))
@pytest.mark.parametrize("wallet", ["apple", "google"])
def test_each_symbology_decodes_from_the_preview(symbology: BarcodeFormat, wallet: str) -> None:
    message = "LUMEN-4012883310-X7" if symbology is BarcodeFormat.CODE128 else "member:4012883310"
    p = loyalty_pass(barcode={"format": symbology.value, "message": message, "alt_text": "4012"})
    found = decode_all(render_png(p, wallet=wallet))  # type: ignore[arg-type]
    assert found == [(ZXING_NAMES[symbology], message)]


def test_both_wallets_show_the_same_barcode() -> None:
    p = loyalty_pass(barcode={"format": "pdf417", "message": "TICKET 99-1234"})
    found = decode_all(render_png(p, wallet="both"))
    assert found == [("PDF417", "TICKET 99-1234"), ("PDF417", "TICKET 99-1234")]


@pytest.mark.parametrize("symbology", ["qr", "aztec", "pdf417"])
@pytest.mark.parametrize("encoding", ["iso-8859-1", "utf-8"])
def test_accented_messages_keep_their_text(symbology: str, encoding: str) -> None:
    message = "Café Lumière été 2026"
    p = loyalty_pass(barcode={"format": symbology, "message": message, "encoding": encoding})
    found = decode_all(render_png(p, wallet="apple"))
    assert [text for _, text in found] == [message]


def test_quiet_zone_surrounds_the_symbol() -> None:
    symbol = encode(Barcode(format="qr", message="x"))
    image = symbol.draw(4)
    quiet = symbol.quiet_zone * 4
    border = image.crop((0, 0, image.width, quiet))
    assert border.getextrema() == (255, 255)
    assert image.size == ((symbol.columns + 2 * symbol.quiet_zone) * 4,) * 2


def test_a_message_too_long_for_the_symbology_is_refused() -> None:
    with pytest.raises(WalletRuleError, match="do not fit in a"):
        encode(Barcode(format="aztec", message="x" * 5000))
    assert density_problem(Barcode(format="pdf417", message="x" * 5000)) is not None


@pytest.mark.parametrize(
    ("symbology", "short", "long"),
    [("qr", "a" * 40, "https://x.example/" + "a" * 300), ("code128", "ABC-123", "ABCDEFGH" * 6)],
)
def test_dense_symbols_are_flagged(symbology: str, short: str, long: str) -> None:
    assert density_problem(Barcode(format=symbology, message=short)) is None
    problem = density_problem(Barcode(format=symbology, message=long))
    assert problem is not None and "modules wide" in problem
