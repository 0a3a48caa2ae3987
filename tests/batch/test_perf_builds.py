"""What makes batch builds fast, checked as behaviour (never as timings): what is imported,
what is prepared once, and that chunked, forked and directly written builds give the same
passes as one-by-one builds."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from passkit.apple import bundle as apple_bundle
from passkit.apple import images, strings
from passkit.apple.bundle import build_pkpass, pkpass_parts
from passkit.apple.signing import AppleSigner
from passkit.batch import BuildPlan, Record, build_many
from passkit.batch.build_plan import AppleCredentials
from passkit.batch.builder import Builder
from passkit.batch.writer import OutputDirectory
from passkit.devcerts import DevCertificates
from passkit.layout import load_layout
from passkit.testing import open_pkpass
from tests.support.layout import write_loyalty_card

TRANSLATED = """\
- {key: terms, label: Terms, value: "Points expire after a year."}
"""


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = write_loyalty_card(tmp_path_factory.mktemp("layout"), TRANSLATED)
    text = path.read_text() + "translations:\n  fr:\n    strings: {Points: Points, Tier: Niveau}\n"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def apple(dev_certs: DevCertificates) -> AppleCredentials:
    credentials = AppleCredentials.resolve(
        certificate=str(dev_certs.pass_certificate),
        key=str(dev_certs.pass_key),
        wwdr=str(dev_certs.wwdr),
        environ={},
    )
    assert credentials is not None
    return credentials


def member(index: int, **changes: Any) -> dict[str, Any]:
    record = {"member_id": f"{70000000 + index}", "member_name": "Ada", "points": index}
    return {**record, **changes}


def records(count: int) -> list[Record]:
    return [Record(data=member(i), name=f"record {i + 1}", line=i + 1) for i in range(count)]


def test_an_apple_only_build_imports_no_google_module(
    layout: Path, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    data = tmp_path / "members.jsonl"
    data.write_text("".join(json.dumps(member(i)) + "\n" for i in range(3)))
    script = (
        "import json, sys\n"
        "from passkit.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    args = ["build", str(layout), "--data", str(data), "--out", str(tmp_path / "out")]
    args += ["--jobs", "1", "--apple-cert", str(dev_certs.pass_certificate)]
    args += ["--apple-key", str(dev_certs.pass_key), "--wwdr", str(dev_certs.wwdr)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSKIT_")}
    done = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "out").glob("*.pkpass"))) == 3
    modules = json.loads(done.stdout.splitlines()[-1])
    unwanted = ("passkit.google.", "passkit.preview", "jwt", "httpx", "tqdm")
    # Only the options of the layout's google section are read, to check the layout.
    loaded = [name for name in modules if name.startswith(unwanted)]
    assert loaded == ["passkit.google.options"], loaded


def test_chunks_give_the_passes_one_by_one_builds_give(
    layout: Path, apple: AppleCredentials, now: datetime
) -> None:
    builder = Builder(BuildPlan(layout=layout, apple=apple, now=now))
    batch = records(6)
    batch[2] = Record(data=member(2, points="lots"), name="record 3", line=3)
    batch[4] = Record(data={}, name="record 5", line=5, problem="not valid JSON")
    chunked = builder.build_chunk(batch)
    single = [builder.build(record) for record in batch]
    assert [r.record for r in chunked] == [r.name for r in batch]
    assert chunked == single
    assert [r.ok for r in chunked] == [True, True, False, True, False, True]
    assert "input 'points'" in (chunked[2].error or "")
    assert chunked[4].error == "not valid JSON"
    assert all(r.pkpass is not None for r in chunked if r.ok)


def test_each_image_and_translation_is_prepared_once_for_many_passes(
    layout: Path, apple: AppleCredentials, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[dict[str, str]] = []
    real_encode = strings.encode_strings

    def counting_encode(table: Any, encoding: Any) -> bytes:
        encoded.append(dict(table))
        return real_encode(table, encoding)

    prepared: list[str] = []
    real_files = images.image_files

    def counting_files(source: Any, role: str, style: str, quality: int | None) -> Any:
        prepared.append(role)
        return real_files(source, role, style, quality)

    monkeypatch.setattr(apple_bundle, "encode_strings", counting_encode)
    monkeypatch.setattr(apple_bundle, "image_files", counting_files)
    images.clear_cache()
    builder = Builder(BuildPlan(layout=layout, apple=apple, now=now))
    results = builder.build_chunk(records(40))
    assert all(result.ok for result in results)
    # en.lproj (empty) and fr.lproj, once each; icon and logo looked up once, not per pass.
    assert sorted(map(len, encoded)) == [0, 2]
    assert sorted(prepared) == ["icon", "logo"]
    for result in results[:3]:
        assert result.pkpass is not None
        bundle = open_pkpass(result.pkpass)
        assert {"en.lproj/pass.strings", "fr.lproj/pass.strings", "icon.png"} <= set(
            name for name, _ in bundle.files
        )


def test_the_pieces_of_a_bundle_join_into_the_bundle(
    layout: Path, dev_signer: AppleSigner, now: datetime
) -> None:
    p = load_layout(layout).render(member(7), now=now)
    assert b"".join(pkpass_parts(p, dev_signer, now=now)) == build_pkpass(p, dev_signer, now=now)


def test_forked_workers_build_the_bytes_one_process_builds(
    layout: Path, apple: AppleCredentials, dev_certs: DevCertificates, now: datetime
) -> None:
    plan = BuildPlan(layout=layout, apple=apple, now=now)
    batch = [member(i) for i in range(9)]
    alone = {r.serial: r.pkpass for r in build_many(plan, batch, jobs=1)}
    together = {r.serial: r.pkpass for r in build_many(plan, batch, jobs=2, chunk_size=2)}
    assert together == alone
    assert len(alone) == 9
    for pkpass in alone.values():
        assert pkpass is not None
        assert open_pkpass(pkpass).verify(ca=dev_certs.root) == []


def test_the_output_directory_writes_whole_files_with_fixed_permissions(tmp_path: Path) -> None:
    out = OutputDirectory(tmp_path / "out")
    old_mask = os.umask(0o077)
    try:
        path = Path(out.write("a.pkpass", [b"one ", b"", b"two"]))
        # The mode is checked on the first file; the next ones are set alike.
        other = Path(out.write("c.pkpass", [b"five"]))
    finally:
        os.umask(old_mask)
    assert path == tmp_path / "out" / "a.pkpass"
    assert path.read_bytes() == b"one two"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(other.stat().st_mode) == 0o644
    other.unlink()
    # A second write of the same name replaces the file whole.
    out.write("a.pkpass", [b"three"])
    assert path.read_bytes() == b"three"
    # A directory removed while the batch runs is made again.
    path.unlink()
    (tmp_path / "out").rmdir()
    out.write("b.pkpass", [b"four"])
    assert (tmp_path / "out" / "b.pkpass").read_bytes() == b"four"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b.pkpass"]


def test_a_failed_write_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = OutputDirectory(tmp_path)

    def full_disk(fd: int, buffers: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "writev", full_disk)
    with pytest.raises(OSError, match="No space"):
        out.write("a.pkpass", [b"data"])
    assert list(tmp_path.iterdir()) == []


def test_a_stale_temporary_name_does_not_stop_the_write(tmp_path: Path) -> None:
    out = OutputDirectory(tmp_path)
    stale = tmp_path / f".a.pkpass.{os.getpid()}.part"
    stale.write_bytes(b"left by a crash")
    out.write("a.pkpass", [b"fresh"])
    assert (tmp_path / "a.pkpass").read_bytes() == b"fresh"
    assert stale.read_bytes() == b"left by a crash"


# Makes a builder writing into a folder: `make(out, behind=True)` writes on a thread.
BuilderMaker = Callable[..., Builder]


@pytest.fixture
def builder_into(layout: Path, apple: AppleCredentials, now: datetime) -> BuilderMaker:
    def make(out: Path, *, behind: bool) -> Builder:
        builder = Builder(BuildPlan(layout=layout, apple=apple, now=now, out_dir=out))
        builder.write_behind = behind  # True in the worker processes of a batch
        return builder

    return make


def test_workers_write_each_bundle_on_a_thread_while_the_next_is_signed(
    builder_into: BuilderMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    real_write = OutputDirectory.write

    def recording(self: OutputDirectory, name: str, parts: Any) -> str:
        threads.append(threading.current_thread().name)
        return real_write(self, name, parts)

    monkeypatch.setattr(OutputDirectory, "write", recording)
    written = builder_into(tmp_path / "behind", behind=True).build_chunk(records(12))
    assert len(threads) == 12 and all(name.startswith("passkit-write") for name in threads)
    threads.clear()
    builder_into(tmp_path / "at-once", behind=False).build_chunk(records(12))
    assert len(threads) == 12 and "passkit-write" not in "".join(threads)
    # Reported only once on disk, with the bytes a build in one thread writes.
    for result in written:
        (path,) = result.files
        assert path.read_bytes() == (tmp_path / "at-once" / path.name).read_bytes()


def test_a_write_that_fails_behind_fails_the_chunk_as_before(
    builder_into: BuilderMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: OutputDirectory, name: str, parts: Any) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(OutputDirectory, "write", full_disk)
    with pytest.raises(OSError, match="No space left"):
        builder_into(tmp_path / "out", behind=True).build_chunk(records(4))
