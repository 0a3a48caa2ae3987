"""Reading a zip archive from memory, safely, whatever its author intended.

A `.pkpass` is a zip file, and a test suite or a command line may be pointed at any file:
one crafted to escape a directory, to exhaust memory (a "zip bomb"), or to make two readers
disagree on what it contains. This reader never touches the disk, refuses every such trick
with a `BundleError` saying what is wrong, and bounds memory while it decompresses rather than
trusting the sizes the archive claims.
"""

from __future__ import annotations

import itertools
import re
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from passkit.errors import BundleError
from passkit.files import open_limited

_MiB = 1024 * 1024
_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then name and extra-field lengths
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ALLOWED_COMPRESSION = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ArchiveLimits:
    """Upper bounds on what an archive may hold; the defaults suit any real pass bundle."""

    max_archive_bytes: int = 32 * _MiB
    max_entries: int = 512
    max_file_bytes: int = 16 * _MiB
    max_total_bytes: int = 64 * _MiB
    max_name_length: int = 255


DEFAULT_LIMITS = ArchiveLimits()


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    compressed_size: int


class Archive(Mapping[str, bytes]):
    """The files of an archive, in archive order, as bytes held in memory."""

    def __init__(
        self,
        source: str,
        entries: list[Entry],
        contents: dict[str, bytes],
        directories: tuple[str, ...] = (),
    ) -> None:
        self.source = source
        self.entries: tuple[Entry, ...] = tuple(entries)
        self._contents = contents
        # Directory entries hold no bytes, but a verifier reports them: a pass bundle has none.
        self.directories = directories

    def __getitem__(self, name: str) -> bytes:
        return self._contents[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._contents)

    def __len__(self) -> int:
        return len(self._contents)


def read_source(
    source: bytes | bytearray | memoryview | str | Path, limits: ArchiveLimits
) -> tuple[bytes, str]:
    """The bytes of `source` (bytes, or a path to read), and a name to use in messages."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        label = "the bundle"
    elif isinstance(source, str | Path):
        path = Path(source)
        label = str(path)
        try:
            with open_limited(path, limits.max_archive_bytes, "pass bundle", BundleError) as handle:
                data = handle.read(limits.max_archive_bytes + 1)
        except FileNotFoundError:
            raise BundleError(f"{label}: no such file") from None
        except IsADirectoryError:
            raise BundleError(f"{label}: is a directory, not a .pkpass file") from None
        except OSError as exc:
            raise BundleError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    else:
        raise BundleError(
            f"cannot open a {type(source).__name__}: give the bundle's bytes or a file path"
        )
    if len(data) > limits.max_archive_bytes:
        raise BundleError(
            f"{label}: larger than {limits.max_archive_bytes} bytes; "
            "a pass bundle is far smaller (raise ArchiveLimits.max_archive_bytes if it is genuine)"
        )
    return data, label


def read_archive(
    data: bytes, *, source: str = "the bundle", limits: ArchiveLimits = DEFAULT_LIMITS
) -> Archive:
    """Every file of the zip archive `data`, checked and decompressed in memory."""
    if len(data) > limits.max_archive_bytes:
        raise BundleError(f"{source}: larger than {limits.max_archive_bytes} bytes")
    if not data.startswith(_LOCAL_SIGNATURE):
        what = "empty" if not data else "not a zip archive (a .pkpass is a zip file)"
        raise BundleError(f"{source}: {what}")
    try:
        return _read(data, source, limits)
    except BundleError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise BundleError(f"{source}: damaged zip archive ({exc})") from None
    except (
        NotImplementedError,
        RuntimeError,
        ValueError,
        OverflowError,
        struct.error,
        OSError,
    ) as exc:
        # zipfile signals unsupported features and impossible headers with these.
        raise BundleError(f"{source}: unreadable zip archive ({exc})") from None


def _read(data: bytes, source: str, limits: ArchiveLimits) -> Archive:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            raise BundleError(
                f"{source}: holds {len(infos)} entries, more than the limit of "
                f"{limits.max_entries}; a pass bundle holds a few dozen files"
            )
        for info in infos:
            # zipfile cuts a name at its first NUL (an empty name then breaks even is_dir()),
            # so every name is checked as the archive spells it before anything else.
            check_name(info.orig_filename, source, limits)
        files = [info for info in infos if not info.is_dir()]
        for info in infos:
            _check_entry(info, source, limits)
        _check_unique(infos, source)
        _check_sizes(files, source, limits)
        _check_layout(infos, data, source)
        entries: list[Entry] = []
        contents: dict[str, bytes] = {}
        total = 0
        for info in files:
            content = _decompress(archive, info, source, limits, limits.max_total_bytes - total)
            total += len(content)
            entries.append(Entry(info.filename, len(content), info.compress_size))
            contents[info.filename] = content
    directories = tuple(info.filename for info in infos if info.is_dir())
    return Archive(source, entries, contents, directories)


def check_name(
    name: str, source: str = "the bundle", limits: ArchiveLimits = DEFAULT_LIMITS
) -> None:
    """Refuse a name that could leave the directory it is unpacked into, or mean two things."""
    shown = repr(name[:80])

    def refuse(why: str) -> BundleError:
        return BundleError(
            f"{source}: entry {shown} {why}; a pass bundle holds only plain relative names"
        )

    if not name or name == "/":
        raise refuse("has an empty name")
    if len(name) > limits.max_name_length:
        raise refuse(f"has a name longer than {limits.max_name_length} characters")
    if _CONTROL.search(name):
        raise refuse("has control characters in its name")
    if "\\" in name:
        raise refuse("contains a backslash (a Windows path separator)")
    if name.startswith("/"):
        raise refuse("is an absolute path")
    if _DRIVE.match(name):
        raise refuse("starts with a drive letter")
    parts = name.rstrip("/").split("/")
    if ".." in parts:
        raise refuse("climbs out of the bundle with '..'")
    if "." in parts or "" in parts:
        raise refuse("has an empty or '.' path component")


def _check_entry(info: zipfile.ZipInfo, source: str, limits: ArchiveLimits) -> None:
    shown = repr(info.filename)
    if info.flag_bits & 0x1:
        raise BundleError(f"{source}: entry {shown} is encrypted; pass bundles are never encrypted")
    if not info.is_dir() and info.compress_type not in _ALLOWED_COMPRESSION:
        raise BundleError(
            f"{source}: entry {shown} uses compression method {info.compress_type}; "
            "only stored and deflated entries are accepted"
        )
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_IFMT(mode):
        if stat.S_ISLNK(mode):
            raise BundleError(f"{source}: entry {shown} is a symbolic link; links are refused")
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise BundleError(f"{source}: entry {shown} is not a regular file (mode {mode:o})")


def _check_unique(infos: list[zipfile.ZipInfo], source: str) -> None:
    # Case matters: a bundle unpacked on a case-insensitive file system would otherwise
    # silently lose one of "Pass.json" and "pass.json", and two readers would disagree.
    seen: dict[str, str] = {}
    for info in infos:
        folded = info.filename.rstrip("/").casefold()
        if folded in seen:
            other = seen[folded]
            same = (
                "twice"
                if other.rstrip("/") == info.filename.rstrip("/")
                else f"as {other!r} and {info.filename!r}"
            )
            raise BundleError(
                f"{source}: entry {info.filename!r} appears {same}; duplicate entries are refused "
                "because readers disagree on which one counts"
            )
        seen[folded] = info.filename


def _check_sizes(files: list[zipfile.ZipInfo], source: str, limits: ArchiveLimits) -> None:
    declared = 0
    for info in files:
        if info.file_size > limits.max_file_bytes:
            raise BundleError(
                f"{source}: entry {info.filename!r} would unpack to {info.file_size} bytes, more "
                f"than the limit of {limits.max_file_bytes}"
            )
        declared += info.file_size
    if declared > limits.max_total_bytes:
        raise BundleError(
            f"{source}: would unpack to {declared} bytes in all, more than the limit of "
            f"{limits.max_total_bytes}"
        )


def _check_layout(infos: list[zipfile.ZipInfo], data: bytes, source: str) -> None:
    """Every entry's data lies inside the archive and no two entries share bytes.

    Overlapping entries are how the smallest zip bombs multiply a single compressed block.
    """
    spans: list[tuple[int, int, str]] = []
    for info in infos:
        start = info.header_offset
        header = data[start : start + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size:
            raise BundleError(f"{source}: entry {info.filename!r} points outside the archive")
        signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        if signature != _LOCAL_SIGNATURE:
            raise BundleError(f"{source}: entry {info.filename!r} has a damaged local header")
        end = start + _LOCAL_HEADER.size + name_length + extra_length + info.compress_size
        if end > len(data):
            raise BundleError(f"{source}: entry {info.filename!r} is cut short (truncated archive)")
        spans.append((start, end, info.filename))
    spans.sort()
    for (_, end, name), (next_start, _, next_name) in itertools.pairwise(spans):
        if next_start < end:
            raise BundleError(
                f"{source}: entries {name!r} and {next_name!r} overlap; overlapping entries are "
                "a zip-bomb technique and are refused"
            )


def _decompress(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, limits: ArchiveLimits, budget: int
) -> bytes:
    # The header's size is a claim; count what actually comes out, and stop at the limits.
    allowed = min(limits.max_file_bytes, info.file_size, budget)
    chunks: list[bytes] = []
    produced = 0
    with archive.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            produced += len(chunk)
            if produced > allowed:
                raise BundleError(
                    f"{source}: entry {info.filename!r} unpacks to more bytes than allowed "
                    f"({allowed}); refusing a possible zip bomb"
                )
            chunks.append(chunk)
    if produced != info.file_size:
        raise BundleError(
            f"{source}: entry {info.filename!r} unpacks to {produced} bytes but claims "
            f"{info.file_size}; the archive is damaged"
        )
    return b"".join(chunks)
