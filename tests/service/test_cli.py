"""`passkit pass` and `passkit service migrate`: the registry from the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from passkit.devcerts import DevCertificates
from passkit.layout import LAYOUTS_DIR
from passkit.service.database import head_revision
from passkit.testing import open_pkpass
from tests.service.support import FIXTURES, use_service_settings
from tests.support.cli import exit_status

SERIAL = "lumen-4012883310"


@pytest.fixture
def env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dev_certs: DevCertificates, clean_env: None
) -> Path:
    monkeypatch.chdir(tmp_path)
    use_service_settings(monkeypatch, dev_certs, "https://passes.example.com/passes")
    return tmp_path


def test_issue_change_and_look_at_a_pass(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(FIXTURES / "loyalty.json")
    assert exit_status("pass", "issue", "loyalty", "--data", data, "--out", "out") == 0
    assert capsys.readouterr().out == f"{SERIAL}\n"
    assert (env / "passkit.db").is_file()  # the default database, in the working directory
    issued = open_pkpass(env / "out" / f"{SERIAL}.pkpass")
    assert issued.pass_json["webServiceURL"] == "https://passes.example.com/passes"
    assert exit_status("pass", "update", SERIAL, "--set", "points=1250", "--message", "Hi") == 0
    assert exit_status("pass", "update", SERIAL, "--set", "points=1250") == 0
    assert capsys.readouterr().out == f"{SERIAL}: updated\n{SERIAL}: unchanged\n"
    assert exit_status("pass", "status", SERIAL, "redeemed") == 0
    assert exit_status("pass", "refresh", SERIAL) == 0
    assert capsys.readouterr().out == f"{SERIAL}: redeemed\n{SERIAL}: unchanged\n"
    assert exit_status("pass", "show", SERIAL) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["record"]["points"] == 1250 and shown["status"] == "redeemed"
    assert shown["tag"] == 3
    assert exit_status("pass", "list", "--status", "redeemed") == 0
    assert capsys.readouterr().out.split("\t")[:4] == [SERIAL, "loyalty", "redeemed", "3"]
    assert exit_status("pass", "list", "--layout", "coupon") == 0
    assert capsys.readouterr().out == ""
    assert exit_status("pass", "list", "--limit", "1") == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_errors_are_one_line_and_exit_2(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(FIXTURES / "loyalty.json")
    assert exit_status("pass", "issue", "loyalty", "--data", data, "--out", "out") == 0
    assert exit_status("pass", "issue", "loyalty", "--data", data, "--out", "out") == 2
    assert "issued already" in capsys.readouterr().err
    assert exit_status("pass", "update", "nope", "--set", "points=1") == 2
    assert "no pass with serial number 'nope'" in capsys.readouterr().err
    assert exit_status("pass", "update", SERIAL, "--set", "points=-1") == 2
    err = capsys.readouterr().err
    assert "input 'points'" in err and len(err.strip().splitlines()) == 1
    assert exit_status("pass", "update", SERIAL, "--set", "points") == 2
    assert "NAME=VALUE" in capsys.readouterr().err
    assert exit_status("pass", "refresh", "nope") == 2
    assert exit_status("pass", "show", "nope") == 2
    assert "no pass with serial number 'nope'" in capsys.readouterr().err
    assert exit_status("pass", "list", "--database", "/no/such/folder/p.db") == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_layout_file_is_found_again_through_its_folder(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layouts = Path(shutil.copytree(LAYOUTS_DIR, env / "layouts"))
    data = str(FIXTURES / "loyalty.json")
    layout = str(layouts / "loyalty.yaml")
    assert exit_status("pass", "issue", layout, "--data", data, "--out", "out") == 0
    capsys.readouterr()
    assert exit_status("pass", "update", SERIAL, "--set", "points=7", "--layouts", "layouts") == 0
    assert exit_status("pass", "show", SERIAL) == 0
    out = capsys.readouterr().out
    assert json.loads(out.split("\n", 1)[1])["layout"] == "loyalty"


def test_migrate_makes_and_then_keeps_the_schema(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:

    head = head_revision()
    assert exit_status("service", "migrate", "--database", "passes.db") == 0
    assert f"migrated from revision none to {head}" in capsys.readouterr().out
    assert exit_status("service", "migrate", "--database", "sqlite:///passes.db") == 0
    assert f"the schema is current (revision {head})" in capsys.readouterr().out


def test_a_change_from_the_command_line_is_pushed_before_it_ends(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dev_certs: DevCertificates,
) -> None:
    from passkit.service import ServiceConfig
    from passkit.service.devices import DeviceStore
    from passkit.testing import ApnsAnswer, ApnsStandIn

    data = str(FIXTURES / "loyalty.json")
    assert exit_status("pass", "issue", "loyalty", "--data", data, "--out", "out") == 0
    registry = ServiceConfig.load().registry()
    stored = registry.get(SERIAL)
    assert stored is not None
    DeviceStore(registry.store.engine).register("d1", "ab" * 32, stored.pass_type_id, SERIAL)
    with ApnsStandIn(client_ca=dev_certs.root) as apns:
        monkeypatch.setenv("PASSKIT_PUSH", "background")
        monkeypatch.setenv("PASSKIT_APNS_URL", apns.url)
        monkeypatch.setenv("PASSKIT_APNS_CA_FILE", str(apns.ca_file))
        assert exit_status("pass", "update", SERIAL, "--set", "points=1250") == 0
        assert [push.token for push in apns.delivered] == ["ab" * 32]
        # APNs refusing the certificate: the change is made, its push kept, and said so.
        apns.answer_next(ApnsAnswer(403, "BadCertificate"))
        assert exit_status("pass", "update", SERIAL, "--set", "points=1300") == 0
    captured = capsys.readouterr()
    assert captured.out.endswith(f"{SERIAL}: updated\n{SERIAL}: updated\n")
    assert "the change is saved; its pushes wait in the outbox" in captured.err
    assert "BadCertificate" in captured.err
