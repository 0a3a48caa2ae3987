"""passkit.files.write_atomically, the one file writer: whole files, a fixed mode, and
temporary names that passkit.batch.writer.remove_stale recognises."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from passkit.batch.writer import OutputDirectory, remove_stale
from passkit.files import atomic_write, open_partial


@pytest.fixture
def strict_umask() -> Iterator[None]:
    previous = os.umask(0o077)
    yield
    os.umask(previous)


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_file_written_under_the_fallback_name_gets_the_mode_too(
    tmp_path: Path, strict_umask: None
) -> None:
    out = OutputDirectory(tmp_path)
    out.write("a.pkpass", [b"first"])
    # The fixed temporary name is taken (left by a crash): a random one is used, made by
    # tempfile (owner-only); the file still comes out with the bundles' mode.
    (tmp_path / f".b.pkpass.{os.getpid()}.part").write_bytes(b"left by a crash")
    written = out.write("b.pkpass", [b"second"])
    assert Path(written).read_bytes() == b"second"
    assert mode(written) == 0o644


def test_atomic_write_makes_folders_and_sets_the_mode_whatever_the_umask(
    tmp_path: Path, strict_umask: None
) -> None:
    page = atomic_write(tmp_path / "a" / "b" / "preview.html", b"<p>")
    key = atomic_write(tmp_path / "key.pem", b"secret", mode=0o600)
    assert page.read_bytes() == b"<p>" and mode(page) == 0o644
    assert key.read_bytes() == b"secret" and mode(key) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "key.pem"]


def test_a_partial_file_of_a_gone_process_is_removed_and_one_of_a_live_one_kept(
    tmp_path: Path,
) -> None:
    fd, temporary = open_partial(str(tmp_path), "x.pkpass")
    os.close(fd)
    assert Path(temporary).name == f".x.pkpass.{os.getpid()}.part"
    assert remove_stale(tmp_path) == []  # this process is alive: its file is being written
    gone = tmp_path / ".y.pkpass.999999999.part"  # no process has this id
    gone.write_bytes(b"half")
    assert remove_stale(tmp_path) == [gone.name]
    assert [p.name for p in tmp_path.iterdir()] == [Path(temporary).name]
