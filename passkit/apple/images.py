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

import contextlib
import hashlib
import io
import json
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from PIL import Image, ImageCms, ImageOps

from passkit.apple import picture_store
from passkit.apple.styles import SCALES, Fit, ImageSpec, image_spec
from passkit.apple.zipwriter import DEFLATE_LEVEL, ZipMember, zip_member
from passkit.errors import ImageError
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
        pictures = _prepare_pictures(source, image_spec(role, style))
        if key is not None:
            picture_store.save(key, pictures)
    return tuple(
        BundleFile.of(f"{role}.png" if scale == 1 else f"{role}@{scale}x.png", data, deflate=False)
        for scale, data in zip(SCALES, pictures, strict=True)
    )


# What else decides the bytes of a prepared picture, for the on-disk store's keys.
_SETTINGS = f"png level {PNG_COMPRESS_LEVEL}, scales {SCALES}"


def _prepare_pictures(source: ImageSource, spec: ImageSpec) -> list[bytes]:
    """The PNG bytes of the picture at each of SCALES."""
    picture = _upright_srgb(source)
    if spec.aspect_range is not None:
        picture = _crop_to_aspect_range(picture, *spec.aspect_range)
    return [_png_bytes(_fit(picture, spec, scale)) for scale in SCALES]


def _upright_srgb(source: ImageSource) -> Image.Image:
    """The decoded picture, turned upright, in sRGB, as RGBA."""
    picture = source.open()
    # A broken EXIF block is ignored: the picture is kept as stored.
    with contextlib.suppress(ValueError, OSError, SyntaxError):
        picture = ImageOps.exif_transpose(picture)
    profile = picture.info.get("icc_profile")
    if profile:
        picture = _to_srgb(picture, profile)
    if picture.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        # 16-bit or float greyscale: bring to 8 bits before the usual conversion.
        picture = picture.convert("I").point(lambda value: value / 256).convert("L")
    try:
        return picture.convert("RGBA")
    except (ValueError, OSError) as exc:
        raise ImageError(f"{source.name}: cannot convert the picture to RGBA ({exc})") from None


def _to_srgb(picture: Image.Image, profile: bytes) -> Image.Image:
    try:
        if picture.mode not in ("RGB", "RGBA", "CMYK", "L"):
            picture = picture.convert("RGBA")
        output_mode = "RGBA" if picture.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(
            picture,
            ImageCms.ImageCmsProfile(io.BytesIO(profile)),
            ImageCms.createProfile("sRGB"),
            outputMode=output_mode,
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return picture  # an unusable profile: the pixels are taken as sRGB already
    assert converted is not None
    return converted


def _crop_to_aspect_range(picture: Image.Image, narrowest: float, widest: float) -> Image.Image:
    width, height = picture.size
    ratio = width / height
    if ratio > widest:
        kept = max(1, round(height * widest))
        left = (width - kept) // 2
        return picture.crop((left, 0, left + kept, height))
    if ratio < narrowest:
        kept = max(1, round(width / narrowest))
        top = (height - kept) // 2
        return picture.crop((0, top, width, top + kept))
    return picture


def fitted_points(size: tuple[int, int], spec: ImageSpec) -> tuple[float, float]:
    """The size in points a picture of `size` pixels takes in its allotted space."""
    if spec.fit is not Fit.WITHIN:
        return float(spec.width), float(spec.height)
    width, height = size
    factor = min(spec.width / width, spec.height / height)
    return width * factor, height * factor


def _fit(picture: Image.Image, spec: ImageSpec, scale: int) -> Image.Image:
    box = (spec.width * scale, spec.height * scale)
    if spec.fit is Fit.FILL:
        return ImageOps.fit(picture, box, method=Image.Resampling.LANCZOS)
    if spec.fit is Fit.PAD:
        return ImageOps.pad(
            picture, box, method=Image.Resampling.LANCZOS, color=(0, 0, 0, 0), centering=(0.5, 0.5)
        )
    points_wide, points_high = fitted_points(picture.size, spec)
    size = (
        min(box[0], max(1, round(points_wide * scale))),
        min(box[1], max(1, round(points_high * scale))),
    )
    return picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _png_bytes(picture: Image.Image) -> bytes:
    alpha_low, _ = picture.getchannel("A").getextrema()
    if alpha_low == 255:
        picture = picture.convert("RGB")  # fully opaque: a smaller file
    picture.info = {}  # nothing of the source's metadata reaches the file
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, optimize=False)
    return buffer.getvalue()
