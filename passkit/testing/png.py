"""The size of a PNG image, read from its header: enough to check a bundle's images without
decoding them."""

from __future__ import annotations

import struct

from passkit.errors import BundleError

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes, where: str) -> tuple[int, int]:
    """Width and height of a PNG, read from its header; `BundleError` if it is not a PNG."""
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise BundleError(f"{where}: not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    if not width or not height:
        raise BundleError(f"{where}: PNG image of size {width}x{height}")
    return width, height
