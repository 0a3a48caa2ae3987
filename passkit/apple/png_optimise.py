"""Making prepared PNG images smaller: losslessly always, with fewer colours on request.

Images are nearly all of a bundle's bytes: what a member downloads, what a mail carries and
what a campaign stores, for every pass. They are the same for every pass of a layout, so the
work is done once per image (and kept by the image store), never once per pass.

- Lossless (always): oxipng (through pyoxipng) tries PNG's row filters and colour types and
  recompresses the data; every pixel stays exactly as it was. Measured on the 12 images of
  the shipped loyalty bundle: level 2 took 0.6 s in all and saved 15.6% of their bytes,
  level 4 2.3 s to save 16.5%, level 6 5.5 s for 16.7%, zopfli 18 s for 17.9%; level 1 saved
  3.7%. Level 2 is oxipng's own default.
- Lossy (only when a layout sets `bundle.image_quality`): libimagequant (through imagequant)
  reduces the image to a palette of at most 256 colours at that quality, with dithering;
  the palette image is then optimised as above.

The settings, and which build of each library made the image, are part of the image
store's keys (`settings`), so a stored image made otherwise is never reused.
"""

from __future__ import annotations

import io
import os
from functools import cache
from importlib.util import find_spec
from typing import TYPE_CHECKING, NamedTuple

from passkit.errors import ImageError

if TYPE_CHECKING:
    from PIL import Image

OXIPNG_LEVEL = 2


class Prepared(NamedTuple):
    """One prepared image: the PNG that goes into bundles, and the size of the plain PNG
    Pillow wrote before optimising (what `passkit lint` and `inspect` compare it with)."""

    data: bytes
    plain_size: int


@cache
def settings(quality: int | None) -> str:
    """What decides the optimised bytes besides the image, for the image store's keys."""
    text = f"oxipng level {OXIPNG_LEVEL} ({_build_of('oxipng')})"
    if quality is not None:
        text += f", imagequant quality {quality} dithering 1.0 ({_build_of('imagequant')})"
    return text


def _build_of(package: str) -> str:
    """Which build of `package` is installed: the size and time of each of its files.

    A stat per file, where asking importlib.metadata for the version slows every process's
    start (docs/performance.md): another version or build has other files.
    """
    spec = find_spec(package)
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    stamps: list[str] = []
    for folder in folders:
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda entry: entry.name):
                if entry.is_file():
                    info = entry.stat()
                    stamps.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
    return ";".join(stamps) or "not installed"


def optimise_png(png: bytes, name: str) -> bytes:
    """`png` losslessly made as small as oxipng makes it at OXIPNG_LEVEL."""
    import oxipng  # here: only a process that prepares an image loads the optimiser

    try:
        optimised: bytes = oxipng.optimize_from_memory(png, level=OXIPNG_LEVEL)
    except oxipng.PngError as exc:
        raise ImageError(f"{name}: cannot optimise the prepared image ({exc})") from None
    return optimised if len(optimised) < len(png) else png


def quantise(image: Image.Image, quality: int, name: str) -> Image.Image:
    """`image` reduced to a palette of at most 256 colours at `quality` (1-100)."""
    import imagequant  # here: only layouts that ask for a quality load the quantiser
    from PIL import Image

    rgba = image if image.mode == "RGBA" else image.convert("RGBA")
    try:
        # The raw-bytes entry point: the Pillow one copies pixels one by one in Python.
        indices, palette = imagequant.quantize_raw_rgba_bytes(
            rgba.tobytes(),
            rgba.width,
            rgba.height,
            dithering_level=1.0,
            max_colors=256,
            min_quality=0,
            max_quality=quality,
        )
    except RuntimeError as exc:
        raise ImageError(f"{name}: cannot reduce the image's colours ({exc})") from None
    quantised = Image.frombytes("P", rgba.size, indices)
    quantised.putpalette(palette, rawmode="RGBA")
    return quantised


def png_of(image: Image.Image) -> bytes:
    """`image` as Pillow writes a PNG, without metadata: the plain PNG, before optimising.

    zlib's default level: oxipng compresses the data again in any case."""
    image.info = {}  # nothing of the source's metadata reaches the file
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6, optimize=False)
    return buffer.getvalue()
