"""Pass images as Apple Wallet wants them: PNG at @1x, @2x and @3x, sized for the style.

Every image keeps its proportions. How each role reaches its allotted space
(`passkit.apple.styles.Fit`):
- strip and background *fill* their space: scaled to cover it, then the overflow is cropped
  evenly from both sides (Wallet itself crops images of another shape the same way);
- the icon is *padded*: scaled to fit a square and centred on a transparent canvas, so that a
  wide logo used as icon is not cut;
- logo, footer and thumbnail are scaled to fit *within* their space and keep their own shape
  (a thumbnail narrower than 2:3 or wider than 3:2 is first cropped to that limit, as Wallet
  would).
A source smaller than the @3x size is scaled up (Lanczos), which is what Wallet would do with a
smaller file; give images at least three times the point size for sharp results.

Images are turned upright (EXIF orientation), converted to sRGB when they carry a colour
profile, and written without any metadata (no EXIF, no ICC profile, no text chunks) with fixed
PNG settings, so the same source always gives the same bytes.

Preparing is slow (decode, resize, compress, optimise) and the same for every pass of a
layout, so the result is cached by (source digest, role, style, quality): files, SHA-1 and
CRC-32 are computed once per process.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from passkit.apple import image_store
from passkit.apple.bundle_file import BundleFile
from passkit.apple.png_optimise import settings as optimiser_settings
from passkit.apple.styles import SCALES, image_spec
from passkit.images import ImageSource

CACHE_SIZE = 512


@dataclass
class CacheInfo:
    hits: int = 0
    misses: int = 0
    size: int = 0


# A prepared image: its source's digest, its role and style, the quality asked for.
_Key = tuple[str, str, str, int | None]


class _PreparedCache:
    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.entries: OrderedDict[_Key, tuple[BundleFile, ...]] = OrderedDict()
        self.lock = threading.Lock()
        self.info = CacheInfo()

    def get(self, key: _Key) -> tuple[BundleFile, ...] | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                self.info.misses += 1
                return None
            self.entries.move_to_end(key)
            self.info.hits += 1
            return found

    def put(self, key: _Key, files: tuple[BundleFile, ...]) -> None:
        with self.lock:
            self.entries[key] = files
            self.entries.move_to_end(key)
            while len(self.entries) > self.maxsize:
                self.entries.popitem(last=False)
            self.info.size = len(self.entries)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.info = CacheInfo()


_cache = _PreparedCache(CACHE_SIZE)


def image_files(
    source: ImageSource, role: str, style: str, quality: int | None = None
) -> tuple[BundleFile, ...]:
    """`<role>.png`, `<role>@2x.png` and `<role>@3x.png` for `style`, prepared once per process;
    with `quality`, in at most 256 colours (`passkit.apple.png_optimise`)."""
    key = (source.digest, role, style, quality)
    files = _cache.get(key)
    if files is None:
        files = _prepare(source, role, style, quality)
        _cache.put(key, files)
    return files


class ImageSize(NamedTuple):
    """One prepared image's bytes in a bundle, and those of the plain PNG before optimising."""

    name: str
    size: int
    plain_size: int


def image_sizes(
    source: ImageSource, role: str, style: str, quality: int | None = None
) -> list[ImageSize]:
    """What `image_files` holds, with what optimising saved on each image."""
    files = image_files(source, role, style, quality)
    plain = _plain_sizes.get((source.digest, role, style, quality))
    return [
        ImageSize(file.name, len(file.data), plain[index] if plain else len(file.data))
        for index, file in enumerate(files)
    ]


def record_hits(count: int) -> None:
    """Count `count` prepared images served again from a cache of files made from them."""
    with _cache.lock:
        _cache.info.hits += count


def cache_info() -> CacheInfo:
    """Hits, misses and size of the prepared-image cache (a copy)."""
    with _cache.lock:
        return CacheInfo(_cache.info.hits, _cache.info.misses, len(_cache.entries))


# Caches of files made from prepared images (passkit.apple.bundle's), emptied with this one.
_dependent_caches: list[Callable[[], None]] = []


def clear_cache() -> None:
    """Forget every prepared image, and every cached file made from one."""
    _cache.clear()
    _plain_sizes.clear()
    for clear in _dependent_caches:
        clear()


def on_clear_cache(clear: Callable[[], None]) -> None:
    """Call `clear` whenever the prepared-image cache is cleared."""
    _dependent_caches.append(clear)


# The plain PNG sizes of each prepared image, for `image_sizes`.
_plain_sizes: dict[_Key, tuple[int, ...]] = {}


def _prepare(
    source: ImageSource, role: str, style: str, quality: int | None
) -> tuple[BundleFile, ...]:
    """The image's files, from the on-disk store when a process prepared them before."""
    settings = f"scales {SCALES}, {optimiser_settings(quality)}"
    key = image_store.entry_key(source.digest, role, style, settings)
    images = image_store.load(key) if key is not None else None
    if images is None or len(images) != len(SCALES):
        # Imported here: pillow and the preparing code load only when an image is prepared.
        from passkit.apple.image_prep import prepare_images

        images = prepare_images(source, image_spec(role, style), quality)
        if key is not None:
            image_store.save(key, images)
    if len(_plain_sizes) >= CACHE_SIZE:
        _plain_sizes.pop(next(iter(_plain_sizes)))  # the oldest: these are only for reports
    _plain_sizes[(source.digest, role, style, quality)] = tuple(p.plain_size for p in images)
    return tuple(
        BundleFile.of(
            f"{role}.png" if scale == 1 else f"{role}@{scale}x.png", image.data, deflate=False
        )
        for scale, image in zip(SCALES, images, strict=True)
    )
