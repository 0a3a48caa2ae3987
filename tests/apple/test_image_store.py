"""Prepared images stored on disk: read back by later processes, never trusted blindly."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from passkit.apple import image_prep, image_store
from passkit.apple.images import clear_cache, image_files
from passkit.devcerts import DevCertificates
from passkit.environment import ENV_CACHE_DIR
from passkit.images import ImageSource
from tests.support.apple import drawn_image


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    clear_cache()
    return tmp_path / "cache" / "images"


def _entries(store: Path) -> list[Path]:
    return sorted(path for path in store.rglob("*") if path.is_file())


def _source(color: tuple[int, int, int] = (200, 40, 40)) -> ImageSource:
    return ImageSource.coerce(drawn_image((1200, 400), color))


def _forbid_preparing(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> list[bytes]:
        raise AssertionError("the image was prepared again instead of read from the store")

    monkeypatch.setattr(image_prep, "prepare_images", refuse)


def test_a_later_process_reads_the_images_back(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source()
    first = image_files(source, "strip", "storeCard")
    assert len(_entries(store)) == 1
    clear_cache()  # as a new process starts: nothing prepared in memory
    _forbid_preparing(monkeypatch)
    again = image_files(source, "strip", "storeCard")
    assert [(f.name, f.data, f.sha1) for f in again] == [(f.name, f.data, f.sha1) for f in first]


def test_each_source_role_and_style_has_its_own_entry(store: Path) -> None:
    source = _source()
    image_files(source, "strip", "storeCard")
    image_files(source, "strip", "coupon")
    image_files(source, "logo", "storeCard")
    image_files(_source((10, 200, 10)), "strip", "storeCard")
    assert len(_entries(store)) == 4


def test_a_damaged_entry_is_prepared_again_and_replaced(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _source()
    first = image_files(source, "strip", "storeCard")
    (entry,) = _entries(store)
    damaged = bytearray(entry.read_bytes())
    damaged[len(damaged) // 2] ^= 0xFF
    entry.write_bytes(bytes(damaged))
    clear_cache()
    again = image_files(source, "strip", "storeCard")
    assert [f.data for f in again] == [f.data for f in first]
    # Rewritten whole: the next process reads it without preparing.
    clear_cache()
    _forbid_preparing(monkeypatch)
    assert [f.data for f in image_files(source, "strip", "storeCard")] == [f.data for f in first]


@pytest.mark.parametrize("content", [b"", b"passkit-images-1\n", b"\x00" * 40])
def test_truncated_or_foreign_entries_are_not_used(store: Path, content: bytes) -> None:
    source = _source()
    first = image_files(source, "strip", "storeCard")
    (entry,) = _entries(store)
    entry.write_bytes(content)
    clear_cache()
    assert [f.data for f in image_files(source, "strip", "storeCard")] == [f.data for f in first]


def test_the_store_can_be_turned_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_CACHE_DIR, "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    clear_cache()
    image_files(_source(), "strip", "storeCard")
    assert image_store.store_directory() is None
    assert not (tmp_path / "xdg").exists()


def test_without_setting_the_store_is_in_the_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_CACHE_DIR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert image_store.store_directory() == tmp_path / "xdg" / "passkit" / "images"


@contextlib.contextmanager
def _unwritable(folder: Path) -> Iterator[None]:
    """`folder` refusing new entries while the block runs. Root writes into read-only folders,
    so for root (as in CI) the folder is made immutable instead (chattr +i)."""
    if os.geteuid() != 0:
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            yield
        finally:
            folder.chmod(stat.S_IRWXU)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", folder], check=False).returncode != 0:
        pytest.skip("root writes into read-only folders, and chattr +i is not available here")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", folder], check=True)


def test_a_store_that_cannot_be_written_does_not_stop_the_build(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.mkdir(parents=True)
    with _unwritable(store):
        with pytest.raises(PermissionError):  # the folder really refuses a new file
            (store / "probe").write_bytes(b"")
        files = image_files(_source(), "strip", "storeCard")
    assert [f.name for f in files] == ["strip.png", "strip@2x.png", "strip@3x.png"]
    assert _entries(store) == []


def test_a_store_path_that_is_a_file_does_not_stop_the_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("in the way")
    monkeypatch.setenv(ENV_CACHE_DIR, str(blocker))
    clear_cache()
    files = image_files(_source(), "strip", "storeCard")
    assert len(files) == 3
    assert blocker.read_text() == "in the way"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-folder"]


_BUILD_AND_REPORT_PILLOW = """
import sys
from passkit.apple.bundle import unsigned_bundle
from passkit.apple.signing import AppleSigner
from passkit.model import Pass

icon, strip = sys.argv[1:3]
signer = AppleSigner.from_pem(sys.argv[3], sys.argv[4], wwdr=sys.argv[5])
card = Pass(
    kind="loyalty",
    serial_number="A-1",
    organization="Example",
    description="Example card",
    images={"icon": icon, "strip": strip},
)
unsigned_bundle(card, signer, now=signer.certificate.not_valid_before_utc)
print("PIL.Image" in sys.modules)
"""


def test_a_process_with_stored_images_does_not_load_pillow(
    tmp_path: Path, dev_certs: DevCertificates
) -> None:
    icon, strip = tmp_path / "icon.png", tmp_path / "strip.png"
    drawn_image((300, 300)).save(icon)
    drawn_image((1200, 400), (10, 120, 200)).save(strip)
    command = [
        sys.executable,
        "-c",
        _BUILD_AND_REPORT_PILLOW,
        str(icon),
        str(strip),
        str(dev_certs.pass_certificate),
        str(dev_certs.pass_key),
        str(dev_certs.wwdr),
    ]
    env = {**os.environ, ENV_CACHE_DIR: str(tmp_path / "cache")}
    first = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    again = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    assert (first.stdout.strip(), again.stdout.strip()) == ("True", "False")
