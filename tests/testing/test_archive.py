"""Hostile archives: every one must end in a clear BundleError, with nothing written to disk."""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import struct
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passkit.errors import BundleError, PasskitError
from passkit.testing import ArchiveLimits, open_pkpass
from passkit.testing.archive import check_name, read_archive
from tests.support.testing import png, zip_bytes

VALID_PASS = b'{"formatVersion": 1, "description": "x"}'


# -- a zip writer that lets a test lie in every header ------------------------------------


@dataclass
class Raw:
    name: bytes
    payload: bytes  # the bytes stored (already compressed when method is deflate)
    size: int  # uncompressed size claimed
    crc: int
    method: int = zipfile.ZIP_STORED
    flags: int = 0
    create_system: int = 3
    external_attr: int = 0o100644 << 16
    offset: int | None = None  # claim this local-header offset in the central directory


def stored(name: str | bytes, data: bytes, **kw: Any) -> Raw:
    encoded = name.encode() if isinstance(name, str) else name
    return Raw(encoded, data, len(data), zlib.crc32(data), **kw)


def deflated(name: str, data: bytes, **kw: Any) -> Raw:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = compressor.compress(data) + compressor.flush()
    raw = Raw(name.encode(), payload, len(data), zlib.crc32(data), zipfile.ZIP_DEFLATED)
    for key, value in kw.items():
        setattr(raw, key, value)
    return raw


def header_fields(entry: Raw) -> tuple[int, ...]:
    """What the local header and the central directory both say of an entry, in that order:
    version needed, flags, method, time, date (1980-01-01), CRC, sizes, name length."""
    return (
        20,
        entry.flags,
        entry.method,
        0,
        0x21,
        entry.crc,
        len(entry.payload),
        entry.size,
        len(entry.name),
    )


def raw_zip(entries: list[Raw]) -> bytes:
    out = bytearray()
    offsets = []
    for entry in entries:
        offsets.append(len(out))
        out += struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", *header_fields(entry), 0)
        out += entry.name + entry.payload
    directory = bytearray()
    for entry, offset in zip(entries, offsets, strict=True):
        directory += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            (entry.create_system << 8) | 20,
            *header_fields(entry),
            0,
            0,
            0,
            0,
            entry.external_attr,
            offset if entry.offset is None else entry.offset,
        )
        directory += entry.name
    start = len(out)
    out += directory
    out += struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), start, 0
    )
    return bytes(out)


# -- nothing may be written ----------------------------------------------------------------


@contextlib.contextmanager
def no_disk_writes(where: Path) -> Iterator[None]:
    """Fail on any attempt to open a file for writing; check `where`, cwd and temp stay empty."""
    where.mkdir(parents=True, exist_ok=True)
    real_open = builtins.open
    real_os_open = os.open
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            raise AssertionError(f"the reader tried to write {file!r}")
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & write_flags:
            raise AssertionError(f"the reader tried to write {path!r}")
        return real_os_open(path, flags, *args, **kwargs)

    old_cwd = os.getcwd()
    old_tempdir = tempfile.tempdir
    os.chdir(where)
    tempfile.tempdir = str(where)
    builtins.open = guarded_open
    os.open = guarded_os_open
    try:
        yield
    finally:
        builtins.open = real_open
        os.open = real_os_open
        tempfile.tempdir = old_tempdir
        os.chdir(old_cwd)
    assert list(where.iterdir()) == [], "the reader left files behind"


def refused(data: bytes, where: Path, match: str, **kw: Any) -> BundleError:
    with no_disk_writes(where), pytest.raises(BundleError, match=match) as caught:
        open_pkpass(data, **kw)
    return caught.value


# -- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../evil.json", "climbs out"),
        ("a/../../evil", "climbs out"),
        ("/etc/passwd", "absolute"),
        ("..\\evil", "backslash"),
        ("dir\\file.png", "backslash"),
        ("C:/Windows/evil", "drive letter"),
        ("c:evil", "drive letter"),
        ("a//b", "empty or '.'"),
        ("./pass.json", "empty or '.'"),
        ("bad\x00name", "control"),
        ("\x00pass.json", "control"),  # zipfile reads it as an empty name
        ("new\nline", "control"),
        ("x" * 300, "longer than"),
    ],
)
def test_unsafe_names_are_refused(name: str, why: str, tmp_path: Path) -> None:
    data = raw_zip([stored("pass.json", VALID_PASS), stored(name, b"boom")])
    error = refused(data, tmp_path, why)
    assert "plain relative names" in str(error)


def test_check_name_accepts_ordinary_bundle_names() -> None:
    for name in ("pass.json", "icon@2x.png", "fr.lproj/pass.strings", "zh-Hans.lproj/logo.png"):
        check_name(name)


def test_duplicate_entries_are_refused(tmp_path: Path) -> None:
    data = raw_zip([stored("pass.json", VALID_PASS), stored("pass.json", b'{"evil": 1}')])
    refused(data, tmp_path, "'pass.json' appears twice")


def test_duplicates_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    data = raw_zip([stored("pass.json", VALID_PASS), stored("Pass.JSON", b"{}")])
    refused(data, tmp_path, "appears as 'pass.json' and 'Pass.JSON'")


def test_duplicates_written_by_zipfile_are_refused(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate it writes
        data = zip_bytes([("pass.json", VALID_PASS), ("pass.json", VALID_PASS)])
    refused(data, tmp_path, "appears twice")


# -- bombs and sizes -----------------------------------------------------------------------


def test_declared_size_over_the_file_limit_is_refused_before_decompressing(tmp_path: Path) -> None:
    bomb = deflated("pass.json", b"\x00" * (20 * 1024 * 1024))  # 20 MiB of zeros, ~20 KiB stored
    assert len(bomb.payload) < 100_000
    refused(raw_zip([bomb]), tmp_path, "would unpack to 20971520 bytes, more than the limit")


def test_header_that_understates_the_size_is_caught_while_decompressing(tmp_path: Path) -> None:
    zeros = b"\x00" * (5 * 1024 * 1024)
    bomb = deflated("pass.json", zeros, size=1000)  # claims 1 kB, inflates to 5 MiB
    refused(raw_zip([bomb]), tmp_path, "damaged|Bad CRC|claims")


def test_total_size_limit(tmp_path: Path) -> None:
    entries = [deflated(f"f{i}.bin", b"\x00" * 4000) for i in range(5)]
    limits = ArchiveLimits(max_file_bytes=5000, max_total_bytes=15000)
    refused(raw_zip(entries), tmp_path, "20000 bytes in all", limits=limits)


def test_file_size_limit_is_enforced_on_real_output(tmp_path: Path) -> None:
    # The check while decompressing must hold even if the limit is below the declared size.
    limits = ArchiveLimits(max_file_bytes=1000)
    data = raw_zip([stored("pass.json", VALID_PASS), deflated("big.bin", b"\x01" * 5000)])
    refused(data, tmp_path, "would unpack to 5000 bytes", limits=limits)


def test_entry_count_limit(tmp_path: Path) -> None:
    entries = [stored(f"f{i}.txt", b"x") for i in range(40)]
    refused(raw_zip(entries), tmp_path, "holds 40 entries", limits=ArchiveLimits(max_entries=30))


def test_archive_size_limit(tmp_path: Path) -> None:
    data = raw_zip([stored("pass.json", VALID_PASS), stored("pad.bin", b"x" * 5000)])
    refused(data, tmp_path, "larger than 4096 bytes", limits=ArchiveLimits(max_archive_bytes=4096))


def test_archive_size_limit_on_a_path_reads_no_more_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.pkpass"
    path.write_bytes(raw_zip([stored("pass.json", VALID_PASS), stored("pad", b"x" * 9000)]))
    expected = r"big\.pkpass: the pass bundle is 9\d+ bytes, over the limit of 4096 bytes"
    with pytest.raises(BundleError, match=expected):
        open_pkpass(path, limits=ArchiveLimits(max_archive_bytes=4096))


def test_overlapping_entries_are_refused(tmp_path: Path) -> None:
    # The "better zip bomb": many central-directory records sharing one compressed block.
    block = deflated("a", b"\x00" * 100_000)
    data = raw_zip([block, Raw(b"b", b"", 100_000, block.crc, zipfile.ZIP_DEFLATED, offset=0)])
    refused(data, tmp_path, "overlap")


# -- entry kinds -----------------------------------------------------------------------------


def test_encrypted_entries_are_refused(tmp_path: Path) -> None:
    data = raw_zip([stored("pass.json", VALID_PASS, flags=0x1)])
    refused(data, tmp_path, "encrypted")


def test_symbolic_links_are_refused(tmp_path: Path) -> None:
    link = stored("icon.png", b"/etc/passwd", external_attr=0o120777 << 16)
    refused(raw_zip([stored("pass.json", VALID_PASS), link]), tmp_path, "symbolic link")


def test_device_files_are_refused(tmp_path: Path) -> None:
    device = stored("icon.png", b"", external_attr=0o020644 << 16)
    refused(raw_zip([stored("pass.json", VALID_PASS), device]), tmp_path, "not a regular file")


def test_unsupported_compression_is_refused(tmp_path: Path) -> None:
    data = zip_bytes([("pass.json", VALID_PASS)], compression=zipfile.ZIP_BZIP2)
    refused(data, tmp_path, "compression method 12")


def test_a_truncated_archive_is_refused(tmp_path: Path) -> None:
    data = zip_bytes([("pass.json", VALID_PASS), ("icon.png", png(29, 29))])
    refused(data[: len(data) // 2], tmp_path, "damaged|cut short|unreadable")


def test_a_bad_crc_is_refused(tmp_path: Path) -> None:
    entry = stored("pass.json", VALID_PASS)
    entry.crc ^= 0xFFFF
    refused(raw_zip([entry]), tmp_path, "damaged")


# -- not a bundle at all -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"hello, world", "not a zip archive"),
        (b"%PDF-1.7\n", "not a zip archive"),
        (b"PK\x03\x04", "damaged|unreadable"),
        (b"PK\x05\x06" + b"\x00" * 18, "not a zip archive"),
    ],
)
def test_non_zip_data_is_refused(data: bytes, match: str, tmp_path: Path) -> None:
    refused(data, tmp_path, match)


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no such file"):
        open_pkpass(tmp_path / "absent.pkpass")
    with pytest.raises(BundleError, match="is a directory"):
        open_pkpass(tmp_path)


def test_other_types_are_refused() -> None:
    with pytest.raises(BundleError, match="cannot open a int"):
        open_pkpass(42)  # type: ignore[arg-type]


# -- the JSON inside -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b'{"description": "caf\xe9"}', r"pass.json: not UTF-8 text \(invalid byte at position 20"),
        ('{"description": "x"}'.encode("utf-16"), "not UTF-8"),
        (b'\xef\xbb\xbf{"description": "x"}', "byte-order mark"),
        (b'{"description": ', "invalid JSON at line 1"),
        (b'{"a": 1, "a": 2}', "the key 'a' appears twice"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b"[1, 2, 3]", "must hold a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply|invalid JSON"),
    ],
)
def test_bad_pass_json_is_refused(content: bytes, match: str, tmp_path: Path) -> None:
    refused(zip_bytes([("pass.json", content)]), tmp_path, match)


def test_bad_manifest_is_refused(tmp_path: Path) -> None:
    data = zip_bytes([("pass.json", VALID_PASS), ("manifest.json", b'{"pass.json": 5}')])
    refused(data, tmp_path, "manifest.json must map file names")


def test_a_bundle_without_pass_json_is_refused(tmp_path: Path) -> None:
    refused(zip_bytes([("icon.png", png(29, 29))]), tmp_path, "has no pass.json .*icon.png")


def test_a_safe_archive_is_read_whole() -> None:
    data = zip_bytes([("pass.json", VALID_PASS), ("fr.lproj/pass.strings", b'"a" = "b";')])
    archive = read_archive(data)
    assert dict(archive) == {"pass.json": VALID_PASS, "fr.lproj/pass.strings": b'"a" = "b";'}
    assert [(e.name, e.size) for e in archive.entries] == [
        ("pass.json", len(VALID_PASS)),
        ("fr.lproj/pass.strings", 10),
    ]


def test_directory_entries_are_allowed_but_not_files(tmp_path: Path) -> None:
    data = raw_zip(
        [
            stored("fr.lproj/", b"", external_attr=(0o040755 << 16) | 0x10),
            stored("pass.json", VALID_PASS),
        ]
    )
    bundle = open_pkpass(data)
    assert bundle.files == [("pass.json", len(VALID_PASS))]


# -- random and mutated input (hypothesis) ---------------------------------------------------


def _exercise(data: bytes) -> None:
    """Open and read everything; only BundleError (a PasskitError) may come out."""
    try:
        bundle = open_pkpass(data)
        bundle.files  # noqa: B018
        bundle.translations  # noqa: B018
        bundle.images  # noqa: B018
        bundle.fields  # noqa: B018
        bundle.barcode  # noqa: B018
        bundle.expiration_date  # noqa: B018
        problems = bundle.verify()
        assert isinstance(problems, list)
    except BundleError as exc:
        assert str(exc), "a BundleError must say what is wrong"


_QUIET = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_QUIET
@given(data=st.binary(max_size=2048))
def test_random_bytes_end_in_bundle_error(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with no_disk_writes(tmp_path_factory.mktemp("random")), pytest.raises(BundleError):
        open_pkpass(data)


@_QUIET
@given(data=st.binary(max_size=1024))
def test_random_bytes_after_a_zip_signature_end_in_bundle_error(
    data: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    with no_disk_writes(tmp_path_factory.mktemp("random")), pytest.raises(BundleError):
        open_pkpass(b"PK\x03\x04" + data)


@pytest.fixture(scope="module")
def valid_bundle(dev_signer: Any) -> bytes:
    from tests.support.testing import signed_bundle

    return signed_bundle(dev_signer)


@pytest.fixture(scope="module")
def dev_root(dev_certs: Any) -> bytes:
    return Path(dev_certs.root).read_bytes()


def _contents(data: bytes) -> dict[str, bytes]:
    bundle = open_pkpass(data)
    return {name: bundle.read(name) for name, _ in bundle.files}


@_QUIET
@given(data=st.data())
def test_mutated_bundles_end_in_bundle_error_or_problems(
    valid_bundle: bytes,
    dev_root: bytes,
    data: st.DataObject,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    original = bytearray(valid_bundle)
    edits = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)),
            min_size=1,
            max_size=8,
        )
    )
    for position, value in edits:
        original[position] = value
    if data.draw(st.booleans()):
        original = original[: data.draw(st.integers(0, len(original)))]
    mutated = bytes(original)
    with no_disk_writes(tmp_path_factory.mktemp("mutated")):
        _exercise(mutated)
    try:
        contents = _contents(mutated)
        problems = open_pkpass(mutated).verify(dev_root)
    except BundleError:
        return
    # A change the reader cannot see (a timestamp, a comment) leaves a valid bundle; any change
    # to what the bundle holds must be reported.
    if contents == _contents(valid_bundle):
        assert problems == []
    else:
        assert problems, "a changed bundle must not verify"


def test_the_unchanged_bundle_verifies(valid_bundle: bytes, dev_root: bytes) -> None:
    assert open_pkpass(valid_bundle).verify(dev_root) == []


def test_every_single_byte_change_of_pass_json_is_caught(
    valid_bundle: bytes, dev_root: bytes
) -> None:
    # A systematic sweep over the stored (compressed) pass.json: each flip is refused by the
    # zip layer, reported by verify, or (rarely, in padding bits) changes nothing at all.
    with zipfile.ZipFile(io.BytesIO(valid_bundle)) as archive:
        info = archive.getinfo("pass.json")
    start = info.header_offset + 30 + len(info.filename)
    original = _contents(valid_bundle)
    outcomes = {"refused": 0, "reported": 0, "unchanged": 0}
    for offset in range(start, start + info.compress_size):
        mutated = bytearray(valid_bundle)
        mutated[offset] ^= 0x01
        try:
            bundle = open_pkpass(bytes(mutated))
        except BundleError:
            outcomes["refused"] += 1
            continue
        if _contents(bytes(mutated)) == original:
            outcomes["unchanged"] += 1
            assert bundle.verify(dev_root) == []
        else:
            outcomes["reported"] += 1
            assert bundle.verify(dev_root), f"flipping byte {offset} went unnoticed"
    assert outcomes["refused"] > info.compress_size // 2, outcomes


def test_errors_are_passkit_errors() -> None:
    assert issubclass(BundleError, PasskitError)
