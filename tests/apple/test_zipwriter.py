"""The zip writer's pieces: stored deflate blocks, members framed once at the archive's start."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import pytest

from passkit.apple import AppleSigner, build_pkpass, zipwriter
from passkit.apple.bundle import sign_bundle, unsigned_bundle
from passkit.apple.zipwriter import (
    STORED_BLOCKS,
    ZipStream,
    archive_start,
    deflate_raw,
    stored_blocks,
    zip_member,
    zip_parts,
)
from tests.support.apple import make_pass


@pytest.mark.parametrize("size", [0, 1, 1906, 65_535, 65_536, 200_001])
def test_stored_blocks_inflate_back_to_the_data(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    framed = stored_blocks(data)
    assert zlib.decompress(framed, wbits=-15) == data
    # Nothing is compressed: five bytes of framing per block of at most 65,535 bytes.
    assert len(framed) == len(data) + 5 * max(1, -(-size // 65_535))


def test_level_zero_is_framed_as_zlib_frames_it() -> None:
    data = json.dumps({"serialNumber": "A-1", "points": 1280}).encode()
    compressor = zlib.compressobj(0, zlib.DEFLATED, -15)
    assert deflate_raw(data, STORED_BLOCKS) == compressor.compress(data) + compressor.flush()


def test_members_after_an_archive_start_read_back_in_order() -> None:
    shared = [
        zip_member("icon.png", b"\x89PNG icon", zlib.crc32(b"\x89PNG icon"), deflate=False),
        zip_member("en.lproj/pass.strings", b"x" * 300, zlib.crc32(b"x" * 300), deflate=True),
    ]
    own = [
        zip_member("pass.json", b"{}", zlib.crc32(b"{}"), deflate=True, level=STORED_BLOCKS),
        zip_member("signature", b"sig", zlib.crc32(b"sig"), deflate=False),
    ]
    with_start = b"".join(zip_parts(own, archive_start(shared)))
    assert with_start == b"".join(zip_parts([*shared, *own]))
    with zipfile.ZipFile(io.BytesIO(with_start)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [
            "icon.png",
            "en.lproj/pass.strings",
            "pass.json",
            "signature",
        ]
        assert archive.read("en.lproj/pass.strings") == b"x" * 300
        assert archive.read("pass.json") == b"{}"


def test_the_manifest_is_json_of_every_hash_with_sorted_keys(
    now: datetime, dev_signer: AppleSigner
) -> None:
    unsigned = unsigned_bundle(make_pass("event_ticket"), dev_signer, now=now)
    table = {file.name: file.sha1 for file in unsigned.files}
    assert unsigned.manifest == json.dumps(table, sort_keys=True, separators=(",", ":")).encode()
    archive = zipfile.ZipFile(io.BytesIO(b"".join(sign_bundle(unsigned, dev_signer))))
    assert archive.read("manifest.json") == unsigned.manifest


def test_passes_sharing_images_differ_only_in_their_own_members(
    now: datetime, dev_signer: AppleSigner
) -> None:
    first = zipfile.ZipFile(io.BytesIO(build_pkpass(make_pass("loyalty"), dev_signer, now=now)))
    other = make_pass("loyalty", serial_number="ANOTHER-SERIAL")
    second = zipfile.ZipFile(io.BytesIO(build_pkpass(other, dev_signer, now=now)))
    assert first.namelist() == second.namelist()
    differing = [n for n in first.namelist() if first.read(n) != second.read(n)]
    assert differing == ["pass.json", "manifest.json", "signature"]
    assert json.loads(second.read("pass.json"))["serialNumber"] == "ANOTHER-SERIAL"


def test_a_bundle_crc_continues_from_the_shared_start(
    dev_signer: AppleSigner, now: datetime
) -> None:
    p = make_pass("loyalty", translations={"fr": {"strings": {"Name": "Nom"}}})
    bundle = unsigned_bundle(p, dev_signer, now=now)
    parts = sign_bundle(bundle, dev_signer)
    assert bundle.crc_of(parts) == zlib.crc32(b"".join(parts))


def stream_archive(members: list[tuple[str, bytes]], path: Path) -> bytes:
    pieces: list[bytes] = []
    archive = ZipStream(pieces.extend)
    for name, data in members:
        archive.add(name, data, zlib.crc32(data) if name.endswith(".pkpass") else None)
    archive.close()
    data = b"".join(pieces)
    path.write_bytes(data)
    return data


MEMBERS = [(f"pass-{i}.pkpass", bytes([i]) * (1000 + i)) for i in range(5)] + [
    ("pass-0.google.txt", b"https://pay.google.com/gp/v/save/x\n"),
    ("café.pkpass", b"named in UTF-8"),
]


@pytest.mark.parametrize("zip64", [False, True])
def test_a_streamed_archive_reads_back_with_zipfile_and_unzip(
    zip64: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if zip64:
        # Numbers this small stand for archives past 4 GiB and 65,535 members.
        monkeypatch.setattr(zipwriter, "ZIP64_OFFSET", 1500)
        monkeypatch.setattr(zipwriter, "ZIP64_COUNT", 3)
    path = tmp_path / "campaign.zip"
    data = stream_archive(MEMBERS, path)
    assert (b"PK\x06\x06" in data) is zip64  # the zip64 end record
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # every CRC checked
        assert [(i.filename, archive.read(i)) for i in archive.infolist()] == MEMBERS
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    if shutil.which("unzip"):
        done = subprocess.run(["unzip", "-t", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
    assert stream_archive(MEMBERS, tmp_path / "again.zip") == data  # same members, same bytes
