"""Image sources: an image given as a path, bytes or a PIL image, read once and named for errors.

Both wallets and the previews start from an `ImageSource`. It keeps the original encoded bytes
and a content digest, so that everything derived from it (resized PNGs, hashes) can be cached by
content and computed once per process rather than once per pass.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from passkit.cache_location import cache_directory
from passkit.errors import ImageError
from passkit.files import IMAGE_LIMIT, read_limited

if TYPE_CHECKING:
    from PIL import Image


@dataclass(frozen=True, eq=False)
class ImageSource:
    """The encoded bytes of one image, where they came from, and where it is hosted (if it is).

    `url` is the public address of the same image: Google Wallet shows only hosted images.
    """

    data: bytes
    name: str
    url: str | None = None

    @cached_property
    def digest(self) -> str:
        """The SHA-256 of the data, in hex: what names the image in caches and stores."""
        return hashlib.sha256(self.data).hexdigest()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ImageSource):
            return NotImplemented
        return self.digest == other.digest and self.url == other.url

    def __hash__(self) -> int:
        return hash((self.digest, self.url))

    def __repr__(self) -> str:
        return f"ImageSource({self.name!r}, {len(self.data)} bytes)"

    @classmethod
    def from_path(cls, path: str | Path, *, url: str | None = None) -> ImageSource:
        path = Path(path)
        try:
            data = read_limited(path, IMAGE_LIMIT, "image", ImageError)
        except FileNotFoundError:
            raise ImageError(f"{path}: image file not found; check the path") from None
        except OSError as exc:
            raise ImageError(f"{path}: cannot read the image file ({exc.strerror})") from None
        return cls(data=data, name=str(path), url=url)

    @classmethod
    def from_bytes(
        cls, data: bytes, *, name: str = "<bytes>", url: str | None = None
    ) -> ImageSource:
        return cls(data=bytes(data), name=name, url=url)

    @classmethod
    def from_pil(
        cls, image: Image.Image, *, name: str = "<PIL image>", url: str | None = None
    ) -> ImageSource:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return cls(data=buffer.getvalue(), name=name, url=url)

    @classmethod
    def coerce(cls, value: Any) -> ImageSource:
        """Accept what a caller naturally has: a path, bytes, a PIL image or an ImageSource."""
        if isinstance(value, ImageSource):
            return value
        # pillow is imported where images are decoded, not here (a pass built from images
        # prepared before never needs it); a PIL image exists only once pillow is imported.
        pil_image = sys.modules.get("PIL.Image")
        if pil_image is not None and isinstance(value, pil_image.Image):
            return cls.from_pil(value)
        if isinstance(value, bytes | bytearray | memoryview):
            return cls.from_bytes(bytes(value))
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            raise ImageError(
                f"{value}: images are read from files, bytes or PIL images, not downloaded; "
                "save the image locally (its public address can be given as the image url)"
            )
        if isinstance(value, str | Path):
            return cls.from_path(value)
        raise ImageError(
            f"an image must be a file path, bytes or a PIL image, not {type(value).__name__}"
        )

    def with_url(self, url: str | None) -> ImageSource:
        return ImageSource(data=self.data, name=self.name, url=url)

    def check(self) -> None:
        """Raise ImageError (naming the source) unless pillow can decode the image.

        Decoding a layout's images slows every process that loads it (docs/performance.md),
        and an image decodes or not whatever the process: one that decoded once, with this version
        of pillow, is remembered by its digest in passkit's cache directory, and is not decoded
        (nor pillow loaded) again.
        """
        marker = _decoded_marker(self.digest)
        if marker is not None and os.path.exists(marker):
            return
        self.open()
        if marker is not None:
            with contextlib.suppress(OSError):  # not remembered: decoded again next time
                os.makedirs(os.path.dirname(marker), exist_ok=True)
                os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644))

    def open(self) -> Image.Image:
        """Decode the image, raising ImageError (naming the source) if pillow cannot read it."""
        from PIL import Image, UnidentifiedImageError

        try:
            image = Image.open(io.BytesIO(self.data))
            image.load()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ImageError(
                f"{self.name}: not an image that can be read ({exc}); use PNG, JPEG, GIF or WebP"
            ) from None
        except Image.DecompressionBombError:
            raise ImageError(
                f"{self.name}: the image is too large to decode safely; use a smaller image"
            ) from None
        return image


def _decoded_marker(digest: str) -> str | None:
    """The empty file that says an image decodes with this pillow, or None (no cache)."""
    directory = cache_directory("decoded")
    if directory is None:
        return None
    import PIL  # the package alone: its version, not its image module

    key = hashlib.sha256(f"{digest}|Pillow {PIL.__version__}".encode()).hexdigest()
    return os.path.join(directory, key[:2], key)
