"""A deterministic zip writer for pass bundles.

`zipfile` computes every member's CRC-32 itself and stamps the current time; a pass bundle
wants neither: its images are the same for thousands of passes and their CRCs are cached
(`passkit.apple.bundle_file.BundleFile`), and equal inputs must give equal bytes. So the archive is
written here, in the plain zip format (no zip64: a pass is far below 4 GiB):
- members in the order given, each with the fixed time 1980-01-01 00:00 (the zip epoch) and
  the Unix permissions rw-r--r--;
- deflate for text (pass.json, manifest.json, pass.strings), stored for PNG images and the
  signature, which do not compress.

Each member is framed once (`zip_member`: local header, payload, directory record but for its
offset), so that the members shared by every pass of a layout are compressed and framed once
per process; writing an archive then only places the members and their offsets.

`ZipStream` writes the same members one after the other onto a file, for archives of many
passes (`passkit build --zip`): those may pass 4 GiB or 65,535 members, so it uses zip64
records where, and only where, the plain ones cannot hold a number.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

_LOCAL = struct.Struct("<IHHHHHIIIHH")
# The central directory record up to its last field, the member's offset.
_CENTRAL_HEAD = struct.Struct("<IHHHHHHIIIHHHHHI")
_OFFSET = struct.Struct("<I")
_END = struct.Struct("<IHHHHIIH")
_ZIP64_EXTRA = struct.Struct("<HHQ")  # the zip64 extra field holding a member's offset alone
_ZIP64_END = struct.Struct("<IQHHIIQQQQ")
_ZIP64_LOCATOR = struct.Struct("<IIQI")
# The largest numbers the plain records hold (a number this large is written in zip64 records).
ZIP64_OFFSET = 0xFFFFFFFF
ZIP64_COUNT = 0xFFFF
_VERSION_ZIP64 = 45  # 4.5: zip64

_VERSION = 20  # 2.0: deflate
_MADE_BY_UNIX = (3 << 8) | _VERSION
_STORED, _DEFLATED = 0, 8
_UTF8_NAME = 1 << 11
_DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1
_DOS_TIME_MIDNIGHT = 0
_REGULAR_FILE_644 = (0o100644 << 16) & 0xFFFFFFFF
DEFLATE_LEVEL = 6
# Level 0 writes deflate's stored blocks: still a deflate member, as zip readers and Wallet
# expect of text, but uncompressed. The JSON made anew for every pass (pass.json,
# manifest.json) is written so: compressing it costs a tenth of a pass's own work to save about
# 1.5 KiB of a bundle (docs/performance.md). Text the same for every pass (pass.strings) is
# compressed once per process at DEFLATE_LEVEL.
STORED_BLOCKS = 0
# zlib's default window allocates about 256 KiB per compressor, three times the cost of
# compressing a pass's JSON (docs/performance.md). A window just larger than the data finds
# every match the default one would, so the output is as small; the memory level follows it.
_MIN_WINDOW_BITS, _MAX_WINDOW_BITS = 9, 15


# Deflate's stored block (RFC 1951, 3.2.4): a 3-bit header padded to a byte, then LEN and its
# one's complement NLEN, then at most 65,535 bytes as they are.
_STORED_BLOCK_HEADER = struct.Struct("<BHH")
_STORED_BLOCK_MOST = 0xFFFF
_LAST_BLOCK, _MORE_BLOCKS = 1, 0


def stored_blocks(data: bytes) -> bytes:
    """`data` as raw deflate made of stored blocks: what zlib's level 0 writes, framed here.

    Framing costs a struct.pack where a zlib compressor costs its allocation, twice per pass
    (docs/performance.md).
    """
    if len(data) <= _STORED_BLOCK_MOST:
        return _STORED_BLOCK_HEADER.pack(_LAST_BLOCK, len(data), len(data) ^ 0xFFFF) + data
    pieces: list[bytes] = []
    for start in range(0, len(data), _STORED_BLOCK_MOST):
        block = data[start : start + _STORED_BLOCK_MOST]
        last = start + _STORED_BLOCK_MOST >= len(data)
        flag = _LAST_BLOCK if last else _MORE_BLOCKS
        pieces += (_STORED_BLOCK_HEADER.pack(flag, len(block), len(block) ^ 0xFFFF), block)
    return b"".join(pieces)


def deflate_raw(data: bytes, level: int = DEFLATE_LEVEL) -> bytes:
    """Raw deflate of `data` (as zip stores it), with a window sized to the data."""
    if level == STORED_BLOCKS:
        return stored_blocks(data)
    window = min(_MAX_WINDOW_BITS, max(_MIN_WINDOW_BITS, (len(data) - 1).bit_length()))
    compressor = zlib.compressobj(level, zlib.DEFLATED, -window, max(1, min(8, window - 7)))
    return compressor.compress(data) + compressor.flush()


class ZipMember(NamedTuple):
    """One member framed for the archive; only its offset is left to fill in.

    A named tuple: a pass frames three members of its own, and a tuple is made in a tenth of
    the time of a frozen dataclass (docs/performance.md).
    """

    name: bytes
    local_header: bytes  # local file header followed by the name
    payload: bytes  # the bytes stored: the data deflated, or the data itself
    central_head: bytes  # the central directory record up to the offset field
    data_size: int
    crc: int
    method: int

    def renamed(self, name: str) -> ZipMember:
        """The same content under another name, without compressing it again."""
        return _frame(name, self.payload, self.data_size, self.crc, self.method)


def zip_member(
    name: str, data: bytes, crc: int, *, deflate: bool, level: int = DEFLATE_LEVEL
) -> ZipMember:
    """Frame `data` (whose CRC-32 is `crc`) as the member `name`, deflated at `level`."""
    if deflate:
        return _frame(name, deflate_raw(data, level), len(data), crc, _DEFLATED)
    return _frame(name, data, len(data), crc, _STORED)


def _frame(name: str, payload: bytes, size: int, crc: int, method: int) -> ZipMember:
    encoded = name.encode("utf-8")
    flags = 0 if encoded.isascii() else _UTF8_NAME
    local = _LOCAL.pack(
        0x04034B50,
        _VERSION,
        flags,
        method,
        _DOS_TIME_MIDNIGHT,
        _DOS_DATE_1980_01_01,
        crc,
        len(payload),
        size,
        len(encoded),
        0,
    )
    central = _CENTRAL_HEAD.pack(
        0x02014B50,
        _MADE_BY_UNIX,
        _VERSION,
        flags,
        method,
        _DOS_TIME_MIDNIGHT,
        _DOS_DATE_1980_01_01,
        crc,
        len(payload),
        size,
        len(encoded),
        0,
        0,
        0,
        0,
        _REGULAR_FILE_644,
    )
    return ZipMember(encoded, local + encoded, payload, central, size, crc, method)


@dataclass(frozen=True, slots=True)
class ArchiveStart:
    """Members placed first in every archive of a layout, framed and joined once.

    Coming first, they sit at the same offsets in every archive, so their local records and
    their central directory records are each one constant piece: a pass then frames only its
    own few members (pass.json, manifest.json, signature) instead of all of its 15-20.
    """

    data: bytes  # the members' local headers and payloads, back to back
    directory: bytes  # their central directory records
    count: int
    # The CRC-32 of `data`: an archive's own CRC continues from it over the rest
    # (`archive_crc`), so a whole bundle's costs a few KiB of computing, not 200.
    crc: int


def _place(
    members: Iterable[ZipMember], records: list[bytes], directory: list[bytes], offset: int
) -> tuple[int, int]:
    """Append each member's local record to `records` and its directory record, with its
    offset, to `directory`, starting at `offset`; returns the offset after them and their count.
    """
    count = 0
    for member in members:
        records += (member.local_header, member.payload)
        directory += (member.central_head, _OFFSET.pack(offset), member.name)
        offset += len(member.local_header) + len(member.payload)
        count += 1
    return offset, count


def archive_start(members: Iterable[ZipMember]) -> ArchiveStart:
    records: list[bytes] = []
    directory: list[bytes] = []
    _, count = _place(members, records, directory, 0)
    data = b"".join(records)
    return ArchiveStart(data, b"".join(directory), count, zlib.crc32(data))


NO_START = ArchiveStart(b"", b"", 0, 0)


def archive_crc(parts: Sequence[bytes], start: ArchiveStart) -> int:
    """The CRC-32 of the archive `zip_parts(..., start)` returned as `parts`."""
    rest = parts[1:] if start.data and parts and parts[0] is start.data else parts
    crc = start.crc if rest is not parts else 0
    for part in rest:
        crc = zlib.crc32(part, crc)
    return crc


def zip_parts(members: Iterable[ZipMember], start: ArchiveStart = NO_START) -> list[bytes]:
    """The archive of `start`'s members then `members`, as consecutive pieces to join or to
    write as they are."""
    parts: list[bytes] = [start.data] if start.data else []
    central: list[bytes] = [start.directory]
    offset, placed = _place(members, parts, central, len(start.data))
    count = start.count + placed
    directory = b"".join(central)
    parts += (directory, _END.pack(0x06054B50, 0, 0, count, count, len(directory), offset, 0))
    return parts


class ZipStream:
    """A zip archive of stored members written one after the other through `write`, which
    takes the pieces of each member (headers, then the data, never joined)."""

    def __init__(self, write: Callable[[Sequence[bytes]], None]) -> None:
        self._write = write
        self._offset = 0
        self._directory: list[bytes] = []
        self.count = 0

    def add(self, name: str, data: bytes, crc: int | None = None) -> None:
        """Write `data` as the member `name`; `crc` is its CRC-32 when already known."""
        member = zip_member(name, data, zlib.crc32(data) if crc is None else crc, deflate=False)
        self._write((member.local_header, member.payload))
        self._directory += _central_record(member, self._offset)
        self._offset += len(member.local_header) + len(member.payload)
        self.count += 1

    def close(self) -> None:
        """Write the central directory and the end records."""
        directory = b"".join(self._directory)
        self._write((directory, *_end_records(self.count, len(directory), self._offset)))


def _central_record(member: ZipMember, offset: int) -> list[bytes]:
    if offset < ZIP64_OFFSET:
        return [member.central_head, _OFFSET.pack(offset), member.name]
    # The offset goes in a zip64 extra field; the record says so with 0xFFFFFFFF.
    fields = list(_CENTRAL_HEAD.unpack(member.central_head))
    fields[1] = (3 << 8) | _VERSION_ZIP64  # made by Unix, version 4.5
    fields[2] = _VERSION_ZIP64
    fields[11] = _ZIP64_EXTRA.size
    return [
        _CENTRAL_HEAD.pack(*fields),
        _OFFSET.pack(0xFFFFFFFF),
        member.name,
        _ZIP64_EXTRA.pack(0x0001, 8, offset),
    ]


def _end_records(count: int, size: int, offset: int) -> list[bytes]:
    """The end of central directory record, after the zip64 ones when a number needs them."""
    end = _END.pack(
        0x06054B50,
        0,
        0,
        min(count, 0xFFFF),
        min(count, 0xFFFF),
        min(size, 0xFFFFFFFF),
        min(offset, 0xFFFFFFFF),
        0,
    )
    if count < ZIP64_COUNT and size < ZIP64_OFFSET and offset < ZIP64_OFFSET:
        return [end]
    made_by = (3 << 8) | _VERSION_ZIP64
    zip64_end = _ZIP64_END.pack(
        0x06064B50, _ZIP64_END.size - 12, made_by, _VERSION_ZIP64, 0, 0, count, count, size, offset
    )
    locator = _ZIP64_LOCATOR.pack(0x07064B50, 0, offset + size, 1)
    return [zip64_end, locator, end]
