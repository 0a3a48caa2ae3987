"""A deterministic zip writer for pass bundles.

`zipfile` computes every member's CRC-32 itself and stamps the current time; a pass bundle
wants neither: its images are the same for thousands of passes and their CRCs are cached
(`passkit.apple.images.BundleFile`), and equal inputs must give equal bytes. So the archive is
written here, in the plain zip format (no zip64: a pass is far below 4 GiB):
- members in the order given, each with the fixed time 1980-01-01 00:00 (the zip epoch) and
  the Unix permissions rw-r--r--;
- deflate for text (pass.json, manifest.json, pass.strings), stored for PNG pictures and the
  signature, which do not compress.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable

from passkit.apple.images import BundleFile

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")

_VERSION = 20  # 2.0: deflate
_MADE_BY_UNIX = (3 << 8) | _VERSION
_STORED, _DEFLATED = 0, 8
_UTF8_NAME = 1 << 11
_DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1
_DOS_TIME_MIDNIGHT = 0
_REGULAR_FILE_644 = (0o100644 << 16) & 0xFFFFFFFF
DEFLATE_LEVEL = 6


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def write_zip(files: Iterable[BundleFile]) -> bytes:
    """The zip archive of `files`, in their order; equal files give equal bytes."""
    body: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    count = 0
    for file in files:
        name = file.name.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_NAME
        if file.deflate:
            method, payload = _DEFLATED, _deflate(file.data)
        else:
            method, payload = _STORED, file.data
        header = _LOCAL.pack(
            0x04034B50,
            _VERSION,
            flags,
            method,
            _DOS_TIME_MIDNIGHT,
            _DOS_DATE_1980_01_01,
            file.crc,
            len(payload),
            len(file.data),
            len(name),
            0,
        )
        central.append(
            _CENTRAL.pack(
                0x02014B50,
                _MADE_BY_UNIX,
                _VERSION,
                flags,
                method,
                _DOS_TIME_MIDNIGHT,
                _DOS_DATE_1980_01_01,
                file.crc,
                len(payload),
                len(file.data),
                len(name),
                0,
                0,
                0,
                0,
                _REGULAR_FILE_644,
                offset,
            )
            + name
        )
        body += (header, name, payload)
        offset += len(header) + len(name) + len(payload)
        count += 1
    directory = b"".join(central)
    end = _END.pack(0x06054B50, 0, 0, count, count, len(directory), offset, 0)
    return b"".join(body) + directory + end
