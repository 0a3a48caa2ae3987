"""Batches facing careless input or a crash: two records with one serial number, and a build
killed with SIGKILL in the middle."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from passkit.batch import BuildPlan, build_many, read_records
from passkit.batch.build_plan import AppleCredentials
from passkit.devcerts import DevCertificates
from passkit.testing import open_pkpass
from tests.support.batch import build_args, member, write_jsonl
from tests.support.cli import exit_status
from tests.support.layout import write_loyalty_card


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_loyalty_card(tmp_path_factory.mktemp("layout"))


def failures_of(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def with_repeats(count: int, repeats: dict[int, int]) -> list[dict[str, object]]:
    """`count` members; record i of `repeats` takes the member id (and serial) of another."""
    records = [member(i) for i in range(count)]
    for index, original in repeats.items():
        records[index] = member(index, member_id=records[original]["member_id"])
    return records


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_repeated_serial_fails_naming_both_records(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates, clean_env: None, jobs: str
) -> None:
    # Far apart, so that with two workers the records are built by different processes.
    records = with_repeats(400, {2: 1, 390: 5})
    data = write_jsonl(tmp_path / "members.jsonl", records)
    out = tmp_path / "out"
    status = exit_status(*build_args(layout, data, dev_certs, "--out", str(out), "--jobs", jobs))
    assert status == 1
    failures = failures_of(out / "failures.jsonl")
    assert len(failures) == 2
    for failure in failures:
        error = str(failure["error"])
        assert "is already the serial of" in error and "in this batch" in error
    # Each failure is one record of a pair, and names the other one's line.
    named = set()
    for failure in failures:
        other = int(str(failure["error"]).split(f"{data} line ")[1].split()[0])
        named.add(frozenset((int(str(failure["line"])), other)))
    assert named == {frozenset((2, 3)), frozenset((6, 391))}
    built = list(out.glob("*.pkpass"))
    assert len(built) == 398
    # The file of a repeated serial holds the pass of the record that was built.
    failed = {failure["line"] for failure in failures}
    kept = open_pkpass(out / f"lumen-{records[1]['member_id']}.pkpass")
    assert int(kept.field("points").value) == (1 if 3 in failed else 2)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_a_repeated_serial_in_a_zip_is_a_failure(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates, clean_env: None
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", with_repeats(6, {4: 0}))
    archive = tmp_path / "passes.zip"
    status = exit_status(*build_args(layout, data, dev_certs, "--zip", str(archive)))
    assert status == 1
    with zipfile.ZipFile(archive) as opened:
        assert len(opened.namelist()) == len(set(opened.namelist())) == 5
    (failure,) = failures_of(tmp_path / "passes.failures.jsonl")
    assert failure["line"] == 5 and f"{data} line 1" in str(failure["error"])


def test_files_of_an_earlier_run_are_replaced_not_refused(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates, clean_env: None
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(3)])
    out = tmp_path / "out"
    for _ in range(2):
        assert exit_status(*build_args(layout, data, dev_certs, "--out", str(out))) == 0
    assert len(list(out.glob("*.pkpass"))) == 3


def test_build_many_in_memory_refuses_a_repeated_serial(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", with_repeats(3, {2: 0}))
    apple = AppleCredentials.resolve(
        certificate=str(dev_certs.pass_certificate),
        key=str(dev_certs.pass_key),
        wwdr=str(dev_certs.wwdr),
        environ={},
    )
    results = list(build_many(BuildPlan(layout=layout, apple=apple), read_records(data), jobs=1))
    assert [result.ok for result in results] == [True, True, False]
    assert f"{data} line 1" in str(results[2].error)


def test_sigkill_mid_batch_then_resume_leaves_no_partial_file(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(3000)])
    out = tmp_path / "out"
    out.mkdir()
    # Files of other names, hidden or not, that a run must never touch.
    others = {
        ".notes.part": b"mine",
        ".lumen-1.pkpass.part": b"not the writer's pattern (no process id)",
        "readme.txt": b"keep",
        ".lumen-2.pkpass.1.partial": b"keep",
    }
    for name, content in others.items():
        (out / name).write_bytes(content)
    # What a process that is still running leaves must stay too: it is being written.
    alive = out / f".lumen-3.pkpass.{os.getpid()}.part"
    alive.write_bytes(b"in progress")
    command = [
        sys.executable,
        "-m",
        "passkit",
        *build_args(layout, data, dev_certs, "--out", str(out), "--jobs", "2"),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSKIT_")}
    leftovers: list[str] = []
    for _ in range(5):  # a kill can land between writes: try until one leaves a partial file
        process = subprocess.Popen(command, env=env, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(list(out.glob("*.pkpass"))) < 30:
            time.sleep(0.01)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        leftovers = [p.name for p in out.iterdir() if p.name.endswith(".part")]
        leftovers = [name for name in leftovers if name not in others and name != alive.name]
        claims = [p.name for p in out.iterdir() if p.name.startswith(".passkit-batch-")]
        if leftovers and claims:
            break
    # A kill mid-write leaves a partial file; every kill leaves the batch's claims.
    assert claims, "no claims folder after SIGKILL"
    if not leftovers:  # every kill landed between writes: make the writer's partial file
        leftovers = [f".lumen-70000001.pkpass.{process.pid}.part"]
        (out / leftovers[0]).write_bytes(b"half")
    resumed = subprocess.run(
        [*command, "--skip-existing"], env=env, capture_output=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stderr.decode()
    names = {p.name for p in out.iterdir()}
    assert not set(leftovers) & names
    assert not [name for name in names if name.startswith(".passkit-batch-")]
    for name, content in others.items():
        assert (out / name).read_bytes() == content
    assert alive.read_bytes() == b"in progress"
    assert len(list(out.glob("*.pkpass"))) == 3000
