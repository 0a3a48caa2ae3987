"""`passkit verify` and `passkit inspect`: output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates
from passkit.google import ServiceAccount, compile_google, save_link
from passkit.model import Pass
from tests.support.cli import exit_status, passkit
from tests.support.testing import png, rezip, signed_bundle


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = exit_status(*args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, dev_signer: AppleSigner) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("cli")
    good = signed_bundle(dev_signer)
    made = {
        "good": good,
        "tampered": rezip(good, {"icon.png": png(30, 30)}),
        "junk": b"this is not a zip file",
    }
    paths = {}
    for name, data in made.items():
        paths[name] = directory / f"{name}.pkpass"
        paths[name].write_bytes(data)
    return paths


@pytest.fixture(scope="module")
def link_file(tmp_path_factory: pytest.TempPathFactory, dev_certs: DevCertificates) -> Path:
    """A self-contained save link of a gift card whose values the tests read back."""
    p = Pass(
        kind="gift_card",
        serial_number="gift-6012345678901234",
        organization="Lumen Coffee",
        description="Lumen Coffee gift card",
        primary=[
            {"key": "balance", "label": "Balance", "value": {"amount": "42.50", "currency": "EUR"}}
        ],
        barcode={"format": "code128", "message": "6012345678901234"},
    )
    gp = compile_google(p, issuer_id="3388000000000000001")
    account = ServiceAccount.from_file(dev_certs.google_service_account)
    path = tmp_path_factory.mktemp("links") / "gift.google.txt"
    path.write_text(save_link(gp, account, max_length=100_000).url + "\n")
    return path


def test_verify_a_good_bundle(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], dev_certs: DevCertificates
) -> None:
    code, out, _ = run(capsys, "verify", files["good"], "--ca", dev_certs.root)
    assert code == 0
    assert f"{files['good']}: valid (storeCard 'M-1001', signed " in out
    assert "chain: Pass Type ID: pass.dev.passkit.example < passkit DEVELOPMENT WWDR" in out


def test_verify_prints_each_problem_and_exits_1(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], dev_certs: DevCertificates
) -> None:
    code, out, _ = run(capsys, "verify", files["tampered"], "--ca", dev_certs.root)
    assert code == 1
    assert out.splitlines()[0] == f"{files['tampered']}: INVALID (1 problem)"
    assert out.splitlines()[1].startswith("  - manifest.json: 'icon.png' has SHA-1")


def test_verify_without_ca_explains_the_development_chain(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path]
) -> None:
    code, out, _ = run(capsys, "verify", files["good"])
    assert code == 1
    assert "is not Apple's WWDR G4" in out and "--ca ROOT.pem" in out


def test_verify_unreadable_input_exits_2(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "verify", files["junk"])
    assert code == 2
    assert err.strip() == f"error: {files['junk']}: not a zip archive (a .pkpass is a zip file)"
    code, _, err = run(capsys, "verify", tmp_path / "absent.pkpass")
    assert code == 2 and "no such file" in err


def test_verify_several_files_reports_the_worst(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], dev_certs: DevCertificates
) -> None:
    code, out, err = run(
        capsys, "verify", files["good"], files["tampered"], files["junk"], "--ca", dev_certs.root
    )
    assert code == 2
    assert "good.pkpass: valid" in out and "tampered.pkpass: INVALID" in out
    assert "junk.pkpass: not a zip archive" in err


def test_verify_quiet_prints_problems_only(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], dev_certs: DevCertificates
) -> None:
    code, out, _ = run(capsys, "verify", "-q", files["good"], "--ca", dev_certs.root)
    assert code == 0 and out == ""


def test_verify_a_bad_ca_file_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], files: dict[str, Path], tmp_path: Path
) -> None:
    bad = tmp_path / "root.pem"
    bad.write_text("nope")
    code, out, err = run(capsys, "verify", files["good"], "--ca", bad)
    assert code == 2
    assert (
        err.strip()
        == f"error: {bad}: not a certificate (expected PEM with BEGIN CERTIFICATE, or DER)"
    )
    assert "Traceback" not in out + err


def test_verify_a_save_link(
    capsys: pytest.CaptureFixture[str], link_file: Path, dev_certs: DevCertificates
) -> None:
    code, out, _ = run(
        capsys, "verify", link_file, "--service-account", dev_certs.google_service_account
    )
    assert code == 0 and "valid (save link of 3388000000000000001." in out
    code, out, _ = run(capsys, "verify", link_file)
    assert code == 1 and "the signature was not checked" in out


def test_verify_a_link_with_the_wrong_service_account_is_a_problem_exit_1(
    capsys: pytest.CaptureFixture[str], link_file: Path, tmp_path: Path
) -> None:
    from passkit.devcerts import write_dev_certificates

    other = write_dev_certificates(tmp_path / "other")
    code, out, err = run(
        capsys, "verify", link_file, "--service-account", other.google_service_account
    )
    assert code == 1, err
    assert f"{link_file}: INVALID (1 problem)" in out
    assert "the save link does not verify" in out and "Traceback" not in out + err


def test_inspect_a_bundle(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "inspect", files["good"])
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == str(files["good"])
    for expected in (
        "  style         storeCard",
        "  serial        M-1001",
        "  organization  Example Coffee",
        "  colours       background rgb(20, 40, 60)",
        "  dates         expires 2026-12-01T00:00:00+01:00",
        "  header",
        "    tier    TIER: Gold",
        "  primary",
        "    points  Points: 120",
        "  qr 'M-1001' (iso-8859-1, alt text 'M-1001')",
        '  location 48.8566, 2.3522  "Hi"',
        "  fr: 2 strings",
    ):
        assert expected in lines, f"{expected!r} not in output:\n{out}"
    assert any(line.startswith("  icon@2x.png") and line.endswith("58x58 px") for line in lines)


def test_inspect_as_json(capsys: pytest.CaptureFixture[str], files: dict[str, Path]) -> None:
    code, out, _ = run(capsys, "inspect", files["good"], "--json")
    assert code == 0 and json.loads(out)["serialNumber"] == "M-1001"


def test_inspect_a_link_file_and_the_link_itself(
    capsys: pytest.CaptureFixture[str], link_file: Path, dev_certs: DevCertificates
) -> None:
    code, out, _ = run(
        capsys, "inspect", link_file, "--service-account", dev_certs.google_service_account
    )
    assert code == 0
    assert out.splitlines()[0] == f"save link ({link_file}): signature verified"
    assert "giftCard class 3388000000000000001." in out
    assert "  state    ACTIVE" in out
    assert "    balance " in out and "42.5 EUR  [balance]" in out
    assert "  issuerName: 'Lumen Coffee'" in out
    code, out, _ = run(capsys, "inspect", link_file.read_text().strip())
    assert code == 0
    assert "signature NOT checked" in out.splitlines()[0]


def test_inspect_describes_a_link_by_what_it_holds(
    capsys: pytest.CaptureFixture[str], dev_certs: DevCertificates, tmp_path: Path
) -> None:
    p = Pass(
        kind="generic",
        serial_number="M-7",
        organization="Harbor Athletic Club",
        description="Membership",
        primary=[{"key": "member", "label": "Member", "value": "Jordan"}],
    )
    gp = compile_google(p, issuer_id="3388000000000000001")
    account = ServiceAccount.from_file(dev_certs.google_service_account)
    for made, expected in (
        (
            save_link(gp, account, class_inserted=True),
            f"holds the object; names class {gp.class_id}, which must be published",
        ),
        (
            save_link(gp, account, ids_only=True),
            f"names object ids only ({gp.object_id} of class {gp.class_id})",
        ),
    ):
        code, out, _ = run(capsys, "inspect", made.url)
        assert code == 0 and f"  link     {expected}" in out.splitlines(), out
        assert "inserted" not in out and "REST API" not in out


def test_inspect_a_link_with_the_wrong_key_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], link_file: Path, dev_certs: DevCertificates
) -> None:
    code, _, err = run(capsys, "inspect", link_file, "--public-key", dev_certs.pass_certificate)
    assert code == 2
    assert err.startswith(f"error: {link_file}: the save link does not verify")


def test_inspect_nonsense_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "inspect", "nothing-here.pkpass")
    assert code == 2
    assert (
        err.strip()
        == "error: nothing-here.pkpass: no such file, and not a save link or a JWT either"
    )


def test_python_dash_m_keeps_the_exit_status(
    files: dict[str, Path], dev_certs: DevCertificates
) -> None:
    for name, status in (("good", 0), ("tampered", 1), ("junk", 2)):
        result = passkit("verify", files[name], "--ca", dev_certs.root)
        assert result.returncode == status, (name, result.stdout, result.stderr)
