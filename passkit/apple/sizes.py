"""What each image of a pass's bundle weighs, and what optimising saved on it.

For `passkit lint` (from a layout) and `passkit inspect` (from a built bundle): images are
nearly all of a bundle's bytes, so these are the numbers worth watching.
"""

from __future__ import annotations

import io
from typing import NamedTuple

from passkit.apple.bundle import collect_files
from passkit.apple.images import image_files, image_sizes
from passkit.apple.styles import STYLE_OF_KIND
from passkit.model.pass_ import Pass


class ImageWeight(NamedTuple):
    """One image file of a bundle: its bytes, and those of the plain PNG before optimising."""

    name: str
    size: int
    plain_size: int

    @property
    def saved(self) -> float:
        """The share of the plain PNG's bytes that optimising saved (0 to 1)."""
        return 1 - self.size / self.plain_size if self.plain_size else 0.0


def bundle_images(p: Pass) -> list[ImageWeight]:
    """Every image file of `p`'s bundle, in bundle order, with what optimising saved."""
    style = STYLE_OF_KIND[p.kind]
    quality = p.bundle.image_quality
    plain_of: dict[bytes, int] = {}
    for images in (p.images, *(t.images for t in p.translations.values())):
        for role, source in images.items():
            prepared = image_files(source, role, style, quality)
            sizes = image_sizes(source, role, style, quality)
            plain_of.update((f.data, s.plain_size) for f, s in zip(prepared, sizes, strict=True))
    # The identifiers play no part in the images: any will do to list the bundle's files.
    files = collect_files(p, pass_type_id="pass.example", team_id="EXAMPLE")
    return [
        ImageWeight(file.name, len(file.data), plain_of.get(file.data, len(file.data)))
        for file in files
        if file.name.endswith(".png")
    ]


def plain_png_size(png: bytes) -> int | None:
    """The size of the plain PNG Pillow writes for the same pixels (what passkit optimises
    from), or None when `png` does not decode."""
    from PIL import Image, UnidentifiedImageError

    from passkit.apple.png_optimise import png_of

    try:
        with Image.open(io.BytesIO(png)) as image:
            image.load()
            mode = "RGBA" if image.has_transparency_data else "RGB"
            return len(png_of(image.convert(mode)))
    except (UnidentifiedImageError, OSError, ValueError):
        return None
