"""Batch builds: `passkit build` on many records, and `build_many` from Python."""

from __future__ import annotations

import csv
import gc
import json
import multiprocessing
import os
import pickle
import re
import signal
import stat
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from passkit.batch import BuildPlan, build_many, build_record
from passkit.batch import run as batch_run
from passkit.batch.build_plan import AppleCredentials, GoogleCredentials
from passkit.devcerts import DevCertificates
from passkit.testing import open_pkpass, open_save_link
from tests.support.batch import build_args, member, signing_args, write_jsonl
from tests.support.cli import exit_status
from tests.support.layout import write_loyalty_card
from tests.support.signing import encrypted_pass_key

ISSUER_ID = "3388000000022000001"
TERMS = "Points are earned on every purchase and expire after a year without one. " * 20


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A loyalty card of the tests' own, whose long terms make every pass too big for a
    self-contained Google save link."""
    terms = f"- {{key: terms, label: Terms, value: {json.dumps(TERMS.strip())}}}\n"
    return write_loyalty_card(tmp_path_factory.mktemp("layout"), terms)


def test_jsonl_batch_builds_every_record_and_lists_failures(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates, clean_env: None
) -> None:
    records = [member(i) for i in range(12)]
    records[4] = member(4, points="lots")
    data = write_jsonl(tmp_path / "members.jsonl", records)
    out = tmp_path / "out"
    status = exit_status(*build_args(layout, data, dev_certs, "--out", str(out), "--jobs", "2"))
    assert status == 1
    built = sorted(out.glob("*.pkpass"))
    assert len(built) == 11
    for path in built:
        bundle = open_pkpass(path)
        assert bundle.verify(ca=dev_certs.root) == [], path
    points = sorted(int(open_pkpass(p).field("points").value) for p in built)
    assert points == [i for i in range(12) if i != 4]
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert len(failures) == 1
    assert failures[0]["line"] == 5
    assert failures[0]["record"] == f"{data} line 5"
    assert "input 'points'" in failures[0]["error"]
    assert not list(out.glob(".*.part"))


def test_csv_batch_reads_text_cells_as_typed_inputs(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates, clean_env: None
) -> None:
    data = tmp_path / "members.csv"
    with data.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["member_id", "member_name", "points", "tier"])
        writer.writeheader()
        writer.writerow(
            {
                "member_id": "12345678",
                "member_name": 'Zoë "Z" O\'Neil',
                "points": "120",
                "tier": "Gold",
            }
        )
        writer.writerow(
            {"member_id": "12345679", "member_name": "Bob", "points": "-", "tier": "Gold"}
        )
    out = tmp_path / "out"
    threshold = gc.get_threshold()
    status = exit_status(*build_args(layout, data, dev_certs, "--out", str(out), "--jobs", "1"))
    assert status == 1
    # The command sets the collector for building while it builds, and gives it back as it
    # was to a process that runs it in place (as this test does).
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    bundle = open_pkpass(out / "lumen-12345678.pkpass")
    assert bundle.field("points").value == 120
    assert bundle.field("member").value == 'Zoë "Z" O\'Neil'
    failure = json.loads((out / "failures.jsonl").read_text())
    assert failure["line"] == 3 and "input 'points'" in failure["error"]


def test_zip_output_collects_passes_and_links(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(5)])
    archive = tmp_path / "campaign.zip"
    status = exit_status(
        *build_args(layout, data, dev_certs, "--zip", str(archive), "--jobs", "2"),
        "--google-service-account",
        str(dev_certs.google_service_account),
        "--google-issuer-id",
        ISSUER_ID,
    )
    assert status == 0
    # Each link holds its object; the class it names must be published, and the build says so.
    err = capsys.readouterr().err
    assert "the 5 Google save link(s) hold their objects and name class" in err
    assert "passkit google publish" in err and "WalletClient" not in err
    with zipfile.ZipFile(archive) as bundle_zip:
        names = sorted(bundle_zip.namelist())
        assert len(names) == 10
        for name in names:
            content = bundle_zip.read(name)
            if name.endswith(".pkpass"):
                assert open_pkpass(content).verify(ca=dev_certs.root) == []
            else:
                link = open_save_link(
                    content.decode().strip(), public_key=dev_certs.google_service_account
                )
                assert link.objects and not link.skinny and not link.classes
    assert not (tmp_path / "campaign.failures.jsonl").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_skip_existing_resumes_without_rebuilding(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(6)])
    out = tmp_path / "out"
    args = build_args(layout, data, dev_certs, "--out", str(out), "--jobs", "1", "--no-progress")
    assert exit_status(*args) == 0
    kept = out / "lumen-70000002.pkpass"
    kept_time = kept.stat().st_mtime_ns
    (out / "lumen-70000003.pkpass").unlink()
    capsys.readouterr()
    assert exit_status(*args, "--skip-existing") == 0
    output = capsys.readouterr()
    assert output.out.count("skipped") == 5
    assert "lumen-70000003: wrote" in output.out
    assert kept.stat().st_mtime_ns == kept_time
    assert len(list(out.glob("*.pkpass"))) == 6


def _apple_credentials(certs: DevCertificates) -> AppleCredentials:
    return AppleCredentials.resolve(
        certificate=str(certs.pass_certificate),
        key=str(certs.pass_key),
        wwdr=str(certs.wwdr),
        environ={},
    )


def _apple_plan(layout: Path, certs: DevCertificates, out_dir: Path | None = None) -> BuildPlan:
    return BuildPlan(layout=layout, apple=_apple_credentials(certs), out_dir=out_dir)


def test_build_many_yields_bytes_and_its_plan_is_picklable(
    layout: Path, dev_certs: DevCertificates
) -> None:
    plan = BuildPlan(
        layout=layout,
        apple=_apple_credentials(dev_certs),
        google=GoogleCredentials.resolve(
            service_account=str(dev_certs.google_service_account),
            issuer_id=ISSUER_ID,
            environ={},
        ),
    )
    assert pickle.loads(pickle.dumps(plan)) == plan
    results = list(build_many(plan, [member(i) for i in range(6)], jobs=2))
    assert sorted(r.serial for r in results if r.serial) == [
        f"lumen-{70000000 + i}" for i in range(6)
    ]
    for result in results:
        assert result.ok and result.pkpass is not None and result.save_link is not None
        assert open_pkpass(result.pkpass).verify(ca=dev_certs.root) == []
    single = build_record(plan, member(99))
    assert single.serial == "lumen-70000099" and single.ok


def test_spawned_workers_build_from_the_pickled_plan(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where fork is not used (macOS, Windows), workers start afresh and prepare the plan
    # themselves: the same path, taken here on Linux.
    monkeypatch.setattr(batch_run, "_fork_context", lambda: None)
    out = tmp_path / "out"
    records = [member(i) for i in range(300)]
    records[7] = member(7, points=-1)
    results = list(build_many(_apple_plan(layout, dev_certs, out), records, jobs=2))
    assert len(results) == 300
    failed = [result for result in results if not result.ok]
    assert [(result.line, "input 'points'" in (result.error or "")) for result in failed] == [
        (8, True)
    ]
    built = sorted(out.glob("*.pkpass"))
    assert len(built) == 299
    for path in built[::50]:
        assert open_pkpass(path).verify(ca=dev_certs.root) == [], path
    assert not list(out.glob(".*.part"))


def test_build_record_runs_in_a_fresh_interpreter_and_keeps_its_builder(
    layout: Path, dev_certs: DevCertificates
) -> None:
    # What a task of a distributed engine does: a process that imported nothing of the
    # caller's receives the plan and one record at a time.
    plan = _apple_plan(layout, dev_certs)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        results = [pool.submit(build_record, plan, member(i)).result() for i in range(3)]
        prepared = pool.submit(_builders_prepared).result()
    assert [result.serial for result in results] == [f"lumen-{70000000 + i}" for i in range(3)]
    for result in results:
        assert result.ok and result.pkpass is not None
        assert open_pkpass(result.pkpass).verify(ca=dev_certs.root) == []
    assert prepared == 1


def _builders_prepared() -> int:
    from passkit.batch import builder

    return len(builder._builders)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_keeps_finished_passes_and_leaves_no_partial_file(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates, jobs: str
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(1500)])
    out = tmp_path / "out"
    command = [
        sys.executable,
        "-m",
        "passkit",
        *build_args(layout, data, dev_certs, "--out", str(out), "--jobs", jobs),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSKIT_")}
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.pkpass"))) < 20:
        time.sleep(0.05)
    # A terminal's Ctrl-C reaches the whole process group: the command and its workers.
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr.decode()
    assert "--skip-existing" in stderr.decode()
    assert "Traceback" not in stderr.decode()
    built = list(out.glob("*.pkpass"))
    assert 20 <= len(built) < 1500
    # The summary counts every pass written, those the workers finished after Ctrl-C too.
    summary = re.search(r"built (\d+)", stderr.decode())
    assert summary is not None and int(summary.group(1)) == len(built), stderr.decode()[-500:]
    assert [p.name for p in out.iterdir() if p.name.endswith(".part")] == []
    for path in built:
        assert open_pkpass(path).verify(ca=dev_certs.root) == [], path
    resumed = subprocess.run(
        [*command, "--skip-existing"], env=env, capture_output=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr.decode()
    assert len(list(out.glob("*.pkpass"))) == 1500
    assert f"skipped {len(built)} already built" in resumed.stderr.decode()


def test_without_any_signing_the_build_says_what_to_configure(
    layout: Path, tmp_path: Path, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(1)])
    status = exit_status("build", str(layout), "--data", str(data), "--out", str(tmp_path / "o"))
    assert status == 2
    error = capsys.readouterr().err
    assert "no signing is configured" in error and "PASSKIT_APPLE" in error
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_a_broken_layout_stops_the_build_with_file_and_line(
    tmp_path: Path,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    layout = tmp_path / "card.yaml"
    layout.write_text(
        "kind: loyalty\norganization: Lumen\ndescription: card\n"
        "serial_number: '{{ id }}'\ninputs:\n  id: {type: string}\n"
        "fields:\n  primary:\n    - {key: a, lable: A, value: '{{ id }}'}\n"
    )
    data = write_jsonl(tmp_path / "members.jsonl", [{"id": "1"}])
    out = tmp_path / "out"
    status = exit_status(
        "build", str(layout), "--data", str(data), "--out", str(out), *signing_args(dev_certs)
    )
    assert status == 2
    error = capsys.readouterr().err
    assert f"{layout}:9" in error and "lable" in error
    assert "Traceback" not in error
    assert not out.exists() or not any(out.iterdir())


def test_missing_layout_or_data_file_is_a_usage_error(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(1)])
    missing_layout = tmp_path / "nope.yaml"
    assert (
        exit_status(
            "build",
            str(missing_layout),
            "--data",
            str(data),
            "--out",
            str(tmp_path / "o"),
            *signing_args(dev_certs),
        )
        == 2
    )
    assert str(missing_layout) in capsys.readouterr().err
    missing_data = tmp_path / "nope.jsonl"
    assert (
        exit_status(
            "build",
            str(layout),
            "--data",
            str(missing_data),
            "--out",
            str(tmp_path / "o"),
            *signing_args(dev_certs),
        )
        == 2
    )
    assert f"{missing_data}: record file not found" in capsys.readouterr().err
    assert exit_status("build", str(layout), "--data", str(data), *signing_args(dev_certs)) == 2
    assert "--out DIR" in capsys.readouterr().err


def test_google_settings_that_cannot_work_stop_the_build_once(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(3)])
    out = tmp_path / "out"
    google = ["--google-service-account", str(dev_certs.google_service_account)]
    status = exit_status(
        *build_args(
            layout, data, dev_certs, "--out", str(out), *google, "--google-issuer-id", "issuer-abc"
        )
    )
    assert status == 2
    error = capsys.readouterr().err
    assert error.count("Google issuer id 'issuer-abc' is not valid") == 1
    assert not out.exists() or not any(out.iterdir())
    broken = tmp_path / "service-account.json"
    broken.write_text("{not json")
    status = exit_status(
        *build_args(
            layout,
            data,
            dev_certs,
            "--out",
            str(out),
            "--google-service-account",
            str(broken),
            "--google-issuer-id",
            "3388",
        )
    )
    assert status == 2
    assert f"{broken}: not a Google service account key" in capsys.readouterr().err


def test_an_output_directory_that_cannot_be_written_is_one_clear_line(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(1)])
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    status = exit_status(*build_args(layout, data, dev_certs, "--out", str(blocked / "out")))
    assert status == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {blocked / 'out'}") and "Traceback" not in error


def test_signing_files_are_named_in_errors_and_read_like_the_signer_reads_them(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    clean_env: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(1)])
    out = tmp_path / "out"
    broken = tmp_path / "broken-cert.pem"
    broken.write_text("not a certificate")
    status = exit_status(
        "build",
        str(layout),
        "--data",
        str(data),
        "--out",
        str(out),
        "--apple-cert",
        str(broken),
        "--apple-key",
        str(dev_certs.pass_key),
        "--wwdr",
        str(dev_certs.wwdr),
    )
    assert status == 2
    assert f"certificate file '{broken}' is not a readable X.509 certificate" in (
        capsys.readouterr().err
    )
    # A key kept on one line with \n escapes (as CI secret stores do) works as for from_env.
    one_line = dev_certs.pass_key.read_text().replace("\n", "\\n")
    monkeypatch.setenv("PASSKIT_APPLE_KEY", one_line)
    status = exit_status(
        "build",
        str(layout),
        "--data",
        str(data),
        "--out",
        str(out),
        "--apple-cert",
        str(dev_certs.pass_certificate),
        "--wwdr",
        str(dev_certs.wwdr),
    )
    assert status == 0
    assert open_pkpass(out / "lumen-70000001.pkpass").verify(ca=dev_certs.root) == []


def test_a_shipped_layout_is_named_as_in_every_other_command(
    tmp_path: Path, dev_certs: DevCertificates, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from passkit.layout import FIXTURES_DIR

    out = tmp_path / "out"
    status = exit_status(
        *build_args(Path("loyalty"), FIXTURES_DIR / "loyalty.json", dev_certs, "--out", str(out))
    )
    assert status == 0, capsys.readouterr().err
    (built,) = out.glob("*.pkpass")
    bundle = open_pkpass(built)
    assert bundle.verify(ca=dev_certs.root) == []
    assert built.name.startswith("lumen-")
    assert (
        exit_status(
            *build_args(
                Path("no-such-card"), FIXTURES_DIR / "loyalty.json", dev_certs, "--out", str(out)
            )
        )
        == 2
    )
    error = capsys.readouterr().err
    assert "no-such-card" in error and "shipped layout (" in error and "loyalty" in error


def test_failures_and_zip_outputs_get_the_mode_of_the_bundles(
    layout: Path, tmp_path: Path, dev_certs: DevCertificates, clean_env: None
) -> None:
    records = [member(1), member(2, points="lots")]
    data = write_jsonl(tmp_path / "members.jsonl", records)
    out, archive = tmp_path / "out", tmp_path / "campaign.zip"
    previous = os.umask(0o022)
    try:
        assert exit_status(*build_args(layout, data, dev_certs, "--out", str(out))) == 1
        assert exit_status(*build_args(layout, data, dev_certs, "--zip", str(archive))) == 1
    finally:
        os.umask(previous)
    (bundle,) = out.glob("*.pkpass")
    modes = {
        path.name: stat.S_IMODE(path.stat().st_mode)
        for path in (bundle, out / "failures.jsonl", archive, tmp_path / "campaign.failures.jsonl")
    }
    assert set(modes.values()) == {0o644}, modes


def test_signing_messages_name_options_and_variables_not_python_arguments(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_jsonl(tmp_path / "members.jsonl", [member(1)])
    locked = tmp_path / "locked-key.pem"
    locked.write_bytes(encrypted_pass_key(dev_certs, b"s3cret"))
    out = str(tmp_path / "out")
    base = ["build", str(layout), "--data", str(data), "--out", out]
    attempts = {
        "--apple-key-password": [
            *base, "--apple-cert", str(dev_certs.pass_certificate), "--apple-key", str(locked),
            "--wwdr", str(dev_certs.wwdr),
        ],
        "--apple-p12-password": [*base, "--apple-p12", str(dev_certs.pass_p12)],
    }  # fmt: skip
    for option, args in attempts.items():
        assert exit_status(*args) == 2
        error = capsys.readouterr().err
        assert option in error and "PASSKIT_APPLE_" in error, error
        assert not re.search(r"\b[a-z_]+=(\.\.\.|True|False)", error), error
