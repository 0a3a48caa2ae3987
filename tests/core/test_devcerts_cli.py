"""`passkit certs dev`: writes the certificates, warns, refuses to overwrite without --force."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from passkit.apple.signing import AppleSigner
from passkit.cli import cli
from tests.support.cli import passkit

FILES = [
    "README.txt",
    "google-service-account.json",
    "pass-cert.pem",
    "pass-key.pem",
    "pass.p12",
    "root.pem",
    "wwdr.pem",
]


def test_certs_dev_writes_files_and_warns(tmp_path: Path) -> None:
    target = tmp_path / "dev"
    result = CliRunner().invoke(
        cli,
        ["certs", "dev", str(target), "--pass-type-id", "pass.cli.example", "--team-id", "CLITEAM"],
    )
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in target.iterdir()) == FILES
    for name in FILES:
        assert str(target / name) in result.output
    assert "WARNING" in result.output
    assert "do NOT accept" in result.output
    assert "NOT ACCEPTED BY REAL DEVICES" in (target / "README.txt").read_text()
    signer = AppleSigner.from_pem(
        target / "pass-cert.pem", target / "pass-key.pem", wwdr=target / "wwdr.pem"
    )
    assert (signer.pass_type_id, signer.team_id) == ("pass.cli.example", "CLITEAM")


def test_second_run_without_force_fails_cleanly(tmp_path: Path) -> None:
    first = CliRunner().invoke(cli, ["certs", "dev", str(tmp_path)])
    assert first.exit_code == 0, first.output
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    second = passkit("certs", "dev", tmp_path)
    assert second.returncode == 2
    assert second.stderr.startswith("error: ")
    assert "--force" in second.stderr
    assert "force=True" not in second.stderr  # the CLI user is told of options, not arguments
    assert "Traceback" not in second.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before

    forced = CliRunner().invoke(cli, ["certs", "dev", str(tmp_path), "--force"])
    assert forced.exit_code == 0, forced.output
    after = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert sorted(after) == FILES
    assert after["pass-key.pem"] != before["pass-key.pem"]


def test_certs_group_is_listed_in_help() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "certs" in result.output
    dev_help = CliRunner().invoke(cli, ["certs", "dev", "--help"])
    assert "--force" in dev_help.output
    assert "--pass-type-id" in dev_help.output


REPO = Path(__file__).resolve().parents[2]


def _first_steps() -> list[str]:
    """The shell lines of the README's "First steps"."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("## First steps", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]


def _run(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    words = shlex.split(line)
    assert words[0] == ".venv/bin/passkit", line
    return subprocess.run(
        [sys.executable, "-m", "passkit", *words[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_first_steps_and_make_demo_keep_their_certificates_and_passes_apart(
    tmp_path: Path,
) -> None:
    """The README's first steps, then `make demo`'s command, in one fresh checkout: the first
    steps' passes still verify with their own root, and git ignores everything either wrote."""
    for folder in ("layouts", "fixtures"):
        (tmp_path / folder).symlink_to(REPO / folder)
    (tmp_path / ".gitignore").write_bytes((REPO / ".gitignore").read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSKIT_")}
    steps = _first_steps()
    verify = steps[-1]
    assert verify.startswith(".venv/bin/passkit verify")
    for line in steps[:-1]:
        if line.startswith("export "):
            env.update(word.split("=", 1) for word in shlex.split(line)[1:])
            continue
        done = _run(line, tmp_path, env)
        assert done.returncode == 0, (line, done.stderr)
    demo = re.search(r"\$\(BIN\)/passkit (demo .*)", (REPO / "Makefile").read_text())
    assert demo is not None
    made = _run(".venv/bin/passkit " + demo.group(1), tmp_path, env)
    assert made.returncode == 0, made.stderr
    checked = _run(verify, tmp_path, env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert sorted(set(status) - {"??"}) == [".gitignore", "fixtures", "layouts"]


def _window(pem: Path) -> tuple[str, str]:
    """The validity dates of a certificate, as openssl reads them."""
    shown = subprocess.run(
        ["openssl", "x509", "-noout", "-startdate", "-enddate", "-dateopt", "iso_8601", "-in", pem],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    fields = dict(line.split("=", 1) for line in shown)
    return fields["notBefore"][:10], fields["notAfter"][:10]


def test_dev_certificates_sign_a_build_with_a_fixed_time_in_the_past(tmp_path: Path) -> None:
    from passkit.layout import FIXTURES_DIR

    certs = tmp_path / "certs"
    made = passkit("certs", "dev", certs)
    assert made.returncode == 0, made.stderr
    start, end = _window(certs / "pass-cert.pem")
    today = datetime.now(UTC).date()
    assert date.fromisoformat(start) <= today - timedelta(days=4 * 365)
    assert date.fromisoformat(end) >= today + timedelta(days=4 * 365)
    assert f"Valid from {start}" in made.stdout
    out = tmp_path / "passes"
    built = passkit(
        "build", "loyalty", "--data", FIXTURES_DIR / "loyalty.json", "--out", out,
        "--now", "2026-01-01T00:00:00Z",
        "--apple-cert", certs / "pass-cert.pem", "--apple-key", certs / "pass-key.pem",
        "--wwdr", certs / "wwdr.pem",
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    checked = passkit("verify", *out.glob("*.pkpass"), "--ca", certs / "root.pem")
    assert checked.returncode == 0, checked.stdout


def test_dev_certificates_take_a_validity_window(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen"
    made = passkit(
        "certs", "dev", chosen, "--valid-from", "2024-03-01", "--valid-until", "2027-03-01"
    )
    assert made.returncode == 0, made.stderr
    for name in ("pass-cert.pem", "wwdr.pem"):
        assert _window(chosen / name) == ("2024-03-01", "2027-03-01")
    root_start, root_end = _window(chosen / "root.pem")
    assert root_start <= "2024-03-01" and root_end >= "2027-03-01"
    short = tmp_path / "short"
    assert passkit("certs", "dev", short, "--years", "1").returncode == 0
    start, end = map(date.fromisoformat, _window(short / "pass-cert.pem"))
    assert 728 <= (end - start).days <= 732
    empty = passkit(
        "certs", "dev", tmp_path / "e", "--valid-from", "2027-01-01", "--valid-until", "2026-01-01"
    )
    assert empty.returncode == 2 and "the start must come before the end" in empty.stderr
    assert "Traceback" not in empty.stderr
