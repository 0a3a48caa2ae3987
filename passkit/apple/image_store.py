"""Prepared images kept on disk from one process to the next.

Preparing a layout's images (decoding, resizing to three scales, PNG compression) takes
0.04-0.26 s per shipped layout (measured): most of a short batch's start-up, and of the first
pass a freshly started web worker serves. What comes out depends only on the source image,
the role and style it is prepared for, and the code that prepares it, so the result is stored
under a key made of all of these and read back by any later process: the same bytes, at the
cost of reading a file.

Where: the `images` folder of passkit's cache directory (`passkit.cache_location`: set by
PASSKIT_CACHE_DIR, which `off` turns off). It is a cache, never a source of truth: an entry
that is missing, unreadable or fails its checksum is prepared again and rewritten; an entry
that cannot be written (read-only home, full disk) is simply not stored. Entries are written
whole (temporary file, then rename), so processes sharing the store never read half of one.
"""

from __future__ import annotations

import contextlib
import hashlib
import struct
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import PIL

from passkit.apple.png_optimise import Prepared
from passkit.cache_location import cache_directory
from passkit.files import write_atomically

# Version 2: each image is stored with the size of its plain PNG, before optimising.
_MAGIC = b"passkit-images-2\n"
_HEAD = struct.Struct(">II")  # the plain PNG's size, then the length of the stored image
_CHECKSUM_SIZE = 32
# The modules whose code decides the prepared bytes: a change to any makes new keys.
_PREPARING_MODULES = ("images.py", "image_prep.py", "png_optimise.py", "styles.py")


def store_directory() -> Path | None:
    """The folder of stored images, or None when the store is turned off."""
    return cache_directory("images")


@cache
def _code_version() -> str | None:
    """A digest of the code that prepares images (and of Pillow's version), or None when
    that code cannot be read, in which case nothing is stored."""
    digest = hashlib.sha256(f"passkit images|Pillow {PIL.__version__}".encode())
    here = Path(__file__).parent
    try:
        for name in _PREPARING_MODULES:
            digest.update((here / name).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def entry_key(source_digest: str, role: str, style: str, settings: str) -> str | None:
    """The name of the entry for one source image prepared for `role` in `style`, with
    `settings` (the scales, the optimiser and its settings and build, a quality)."""
    version = _code_version()
    if version is None:
        return None
    text = "|".join((version, source_digest, role, style, settings))
    return hashlib.sha256(text.encode()).hexdigest()


def load(key: str) -> list[Prepared] | None:
    """The images stored under `key`, or None when there is no sound entry."""
    directory = store_directory()
    if directory is None:
        return None
    try:
        content = (directory / key[:2] / key).read_bytes()
    except OSError:
        return None
    return _unpack(content)


def save(key: str, images: Sequence[Prepared]) -> None:
    """Store `images` under `key`, whole or not at all; failures are ignored."""
    directory = store_directory()
    if directory is None:
        return
    # Readable by its owner alone: a cache of this user's.
    with contextlib.suppress(OSError):
        write_atomically(str(directory / key[:2]), key, (_pack(images),), mode=0o600)


def _pack(images: Sequence[Prepared]) -> bytes:
    body = b"".join(_HEAD.pack(plain, len(data)) + data for data, plain in images)
    content = _MAGIC + body
    return content + hashlib.sha256(content).digest()


def _unpack(content: bytes) -> list[Prepared] | None:
    body, checksum = content[:-_CHECKSUM_SIZE], content[-_CHECKSUM_SIZE:]
    if not body.startswith(_MAGIC) or hashlib.sha256(body).digest() != checksum:
        return None
    images = []
    position = len(_MAGIC)
    while position < len(body):
        if position + _HEAD.size > len(body):
            return None
        plain, length = _HEAD.unpack_from(body, position)
        position += _HEAD.size
        images.append(Prepared(body[position : position + length], plain))
        position += length
    return images if position == len(body) else None
