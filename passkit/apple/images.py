"""Pass images as Apple Wallet wants them: PNG at @1x, @2x and @3x, sized for the style.

Every picture keeps its proportions. How each role reaches its allotted space
(`passkit.apple.styles.Fit`):
- strip and background *fill* their space: scaled to cover it, then the overflow is cropped
  evenly from both sides (Wallet itself crops pictures of another shape the same way);
- the icon is *padded*: scaled to fit a square and centred on a transparent canvas, so that a
  wide logo used as icon is not cut;
- logo, footer and thumbnail are scaled to fit *within* their space and keep their own shape
  (a thumbnail narrower than 2:3 or wider than 3:2 is first cropped to that limit, as Wallet
  would).
A source smaller than the @3x size is scaled up (Lanczos), which is what Wallet would do with a
smaller file; give pictures at least three times the point size for sharp results.

Pictures are turned upright (EXIF orientation), converted to sRGB when they carry a colour
profile, and written without any metadata (no EXIF, no ICC profile, no text chunks) with fixed
PNG settings, so the same source always gives the same bytes.

Preparing is slow (decode, resize, compress) and the same for every pass of a layout, so the
result is cached by (source digest, role, style): files, SHA-1 and CRC-32 are computed once per
process.
"""

from __future__ import annotations

import hashlib
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from passkit.apple import picture_store
from passkit.apple.styles import SCALES, image_spec
from passkit.apple.zipwriter import DEFLATE_LEVEL, ZipMember, zip_member
from passkit.images import ImageSource

CACHE_SIZE = 512
# zlib's default level. Every process that builds passes (each batch worker, each server)
# prepares its layout's pictures once, and that start-up is most of a small batch's time:
# measured on the 42 pictures of the shipped layouts, level 9 took 3.9 s and level 6 0.51 s,
# for files 6.6% larger (813 KB against 867 KB), about 13 KB more in a loyalty bundle.
PNG_COMPRESS_LEVEL = 6


class BundleFile(NamedTuple):
    """One file of a pass bundle, with what the manifest and the zip need about it.

    Its zip member (header, compressed payload, directory record) and its manifest entry are
    made when the file is: a picture or a translation table, the same for every pass of a
    layout, is compressed and framed once per process, not once per pass.
    """

    name: str
    data: bytes
    sha1: str
    crc: int
    deflate: bool
    member: ZipMember
    manifest_entry: str

    @classmethod
    def of(cls, name: str, data: bytes, *, deflate: bool, level: int = DEFLATE_LEVEL) -> BundleFile:
        """The file `name` holding `data`; when `deflate`, compressed at `level`."""
        sha1 = hashlib.sha1(data).hexdigest()
        crc = zlib.crc32(data)
        return cls(
            name,
            data,
            sha1,
            crc,
            deflate,
            zip_member(name, data, crc, deflate=deflate, level=level),
            manifest_entry(name, sha1),
        )

    def moved_to(self, directory: str) -> BundleFile:
        name = f"{directory}/{self.name}"
        return BundleFile(
            name,
            self.data,
            self.sha1,
            self.crc,
            self.deflate,
            self.member.renamed(name),
            manifest_entry(name, self.sha1),
        )


# The names of bundle files are few (pass.json, pictures, localisations): quote each once.
_quoted_names: dict[str, str] = {}


def manifest_entry(name: str, sha1: str) -> str:
    """The file's `"name":"sha1"` pair of manifest.json, written as json.dumps writes it."""
    quoted = _quoted_names.get(name)
    if quoted is None:
        quoted = json.dumps(name)
        if len(_quoted_names) < 1024:
            _quoted_names[name] = quoted
    return f'{quoted}:"{sha1}"'


@dataclass
class CacheInfo:
    hits: int = 0
    misses: int = 0
    size: int = 0


class _PreparedCache:
    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.entries: OrderedDict[tuple[str, str, str], tuple[BundleFile, ...]] = OrderedDict()
        self.lock = threading.Lock()
        self.info = CacheInfo()

    def get(self, key: tuple[str, str, str]) -> tuple[BundleFile, ...] | None:
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                self.info.misses += 1
                return None
            self.entries.move_to_end(key)
            self.info.hits += 1
            return found

    def put(self, key: tuple[str, str, str], files: tuple[BundleFile, ...]) -> None:
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


def image_files(source: ImageSource, role: str, style: str) -> tuple[BundleFile, ...]:
    """`<role>.png`, `<role>@2x.png` and `<role>@3x.png` for `style`, prepared once per process."""
    key = (source.digest, role, style)
    files = _cache.get(key)
    if files is None:
        files = _prepare(source, role, style)
        _cache.put(key, files)
    return files


def record_hits(count: int) -> None:
    """Count `count` prepared pictures served again from a cache of files made from them."""
    with _cache.lock:
        _cache.info.hits += count


def cache_info() -> CacheInfo:
    """Hits, misses and size of the prepared-image cache (a copy)."""
    with _cache.lock:
        return CacheInfo(_cache.info.hits, _cache.info.misses, len(_cache.entries))


# Caches of files made from prepared pictures (passkit.apple.bundle's), emptied with this one.
_dependent_caches: list[Callable[[], None]] = []


def clear_cache() -> None:
    """Forget every prepared picture, and every cached file made from one."""
    _cache.clear()
    for clear in _dependent_caches:
        clear()


def on_clear_cache(clear: Callable[[], None]) -> None:
    """Call `clear` whenever the prepared-image cache is cleared."""
    _dependent_caches.append(clear)


def _prepare(source: ImageSource, role: str, style: str) -> tuple[BundleFile, ...]:
    """The picture's files, from the on-disk store when a process prepared them before."""
    key = picture_store.entry_key(source.digest, role, style, _SETTINGS)
    pictures = picture_store.load(key) if key is not None else None
    if pictures is None or len(pictures) != len(SCALES):
        # Imported here: pillow and the preparing code load only when a picture is prepared.
        from passkit.apple.picture_prep import prepare_pictures

        pictures = prepare_pictures(source, image_spec(role, style))
        if key is not None:
            picture_store.save(key, pictures)
    return tuple(
        BundleFile.of(f"{role}.png" if scale == 1 else f"{role}@{scale}x.png", data, deflate=False)
        for scale, data in zip(SCALES, pictures, strict=True)
    )


# What else decides the bytes of a prepared picture, for the on-disk store's keys.
_SETTINGS = f"png level {PNG_COMPRESS_LEVEL}, scales {SCALES}"
