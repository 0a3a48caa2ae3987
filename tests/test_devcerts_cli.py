"""`passkit certs dev`: writes the certificates, warns, refuses to overwrite without --force."""

from __future__ import annotations

from pathlib import Path

from cli_support import passkit
from click.testing import CliRunner

from passkit.apple.signing import AppleSigner
from passkit.cli import cli

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
