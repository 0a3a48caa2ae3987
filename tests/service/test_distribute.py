"""`passkit distribute` and `passkit link create`: passes to a list of recipients, each with a
link and a QR code of it, read back by a real decoder (zxing-cpp)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from passkit.devcerts import DevCertificates
from passkit.service import Registry
from tests.service.support import SECRET, service_env, uses_of
from tests.support.cli import passkit

URL = "http://127.0.0.1:8999/passes"
MEMBER = {"member_name": "Jordan Alvarez", "plan": "Premium", "valid_until": "2027-01-31"}
BAD_LINE = 501  # the file's line of the bad row (the header is line 1)


def run(settings: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    """`passkit ARGS` with the service's settings (and no other PASSKIT_* variable)."""
    return passkit(*args, env=settings, timeout=600)


def qr_codes(png: bytes) -> list[str]:
    """The texts of the QR codes a real decoder (zxing-cpp) finds in an image."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return [found.text for found in zxingcpp.read_barcodes(image, formats=zxingcpp.QRCode)]


def recipients(path: Path, count: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["member_name", "member_id", "plan", "valid_until"])
        for number in range(count):
            member_id = f"HAC-{number:06d}"
            if number + 2 == BAD_LINE:
                member_id = "not a member id"
            writer.writerow([f"Member {number}", member_id, "Classic", "2027-06-30"])
    return path


@pytest.fixture
def settings(tmp_path: Path, dev_certs: DevCertificates) -> dict[str, str]:
    return service_env(dev_certs, f"sqlite:///{tmp_path / 'passes.db'}", URL)


def test_a_thousand_recipients_with_one_bad_row(
    tmp_path: Path, settings: dict[str, str], dev_certs: DevCertificates
) -> None:
    data = recipients(tmp_path / "members.csv", 1000)
    out = tmp_path / "out"
    done = run(settings, "distribute", "generic", "--recipients", data, "--out", out)
    assert done.returncode == 1, done.stderr
    assert "issued 999" in done.stderr and "failed 1" in done.stderr
    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert len(failures) == 1
    assert failures[0]["line"] == BAD_LINE
    assert "member_id" in failures[0]["error"] and f"line {BAD_LINE}" in failures[0]["record"]
    with (out / "links.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 999
    assert [int(row["line"]) for row in rows] == [n for n in range(2, 1002) if n != BAD_LINE]
    for row in rows:
        assert row["link"].startswith(f"{URL}/links/")
        assert (out / f"{row['serial']}.link.txt").read_text().strip() == row["link"]
        png = (out / f"{row['serial']}.png").read_bytes()
        assert qr_codes(png) == [row["link"]]
    registry = Registry(settings["PASSKIT_DATABASE_URL"], web_service_url=URL, secret=SECRET)
    assert registry.counts()["generic"]["passes"] == 999
    # Opening a recipient's link gives the pass issued for it, and counts no other use.
    token = rows[10]["link"].rsplit("/", 1)[1]
    payload = registry.links.keyring.open(token)
    registry_with_signing = Registry(
        settings["PASSKIT_DATABASE_URL"],
        apple=dev_certs.signer(),
        web_service_url=URL,
        secret=SECRET,
    )
    again = registry_with_signing.issue_for_link(payload, dict(payload.prefill))
    assert again.serial == rows[10]["serial"] == "HAC-000010"
    assert uses_of(registry.store.engine, payload.link_id) == 1
    # Resuming skips every recipient done, and keeps every link in the index.
    resumed = run(
        settings, "distribute", "generic", "--recipients", data, "--out", out, "--skip-existing"
    )
    assert resumed.returncode == 1
    assert "issued 0" in resumed.stderr and "skipped 999" in resumed.stderr
    with (out / "links.csv").open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == rows


def test_link_create_prints_a_link(tmp_path: Path, settings: dict[str, str]) -> None:
    made = run(
        settings,
        "link",
        "create",
        "generic",
        "--prefill",
        "member_id=HAC-000042",
        "--prefill",
        "plan=Family",
        "--expires",
        "2030-01-31",
        "--max-uses",
        "1",
    )
    assert made.returncode == 0, made.stderr
    url = made.stdout.strip()
    assert url.startswith(f"{URL}/links/")
    registry = Registry(settings["PASSKIT_DATABASE_URL"], web_service_url=URL, secret=SECRET)
    payload = registry.links.keyring.open(url.rsplit("/", 1)[1])
    assert payload.prefill == {"member_id": "HAC-000042", "plan": "Family"}
    assert payload.expires_at is not None and payload.expires_at.isoformat() == (
        "2030-02-01T00:00:00+00:00"
    )
    assert payload.max_uses == 1 and payload.kind == "personal"
    data = recipients(tmp_path / "members.csv", 3)
    bulk = run(
        settings, "link", "create", "generic", "--recipients", data, "--out", tmp_path / "l.csv"
    )
    assert bulk.returncode == 0, bulk.stderr
    with (tmp_path / "l.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["member_id"] for row in rows] == ["HAC-000000", "HAC-000001", "HAC-000002"]
    opened = registry.links.keyring.open(rows[1]["link"].rsplit("/", 1)[1])
    assert opened.prefill["member_name"] == "Member 1"
    wrong = run(settings, "link", "create", "generic", "--expires", "31/01/2030")
    assert wrong.returncode != 0
    assert "2027-01-31" in wrong.stderr and "Traceback" not in wrong.stderr
    unknown = run(settings, "link", "create", "generic", "--prefill", "colour=red")
    assert unknown.returncode != 0
    assert "no input called 'colour'" in unknown.stderr and "member_id" in unknown.stderr
    # Each value is read by its input when the link is made, not when a member opens it.
    bad_date = run(settings, "link", "create", "generic", "--prefill", "valid_until=someday")
    assert bad_date.returncode != 0 and "Traceback" not in bad_date.stderr
    assert "valid_until" in bad_date.stderr and "--prefill" in bad_date.stderr
    # A link that asks nothing is checked now, not when a member opens it.
    whole = {**MEMBER, "member_id": "HAC-1"}
    values = [f"--prefill={name}={value}" for name, value in whole.items()]
    refused = run(settings, "link", "create", "generic", *values)
    assert refused.returncode != 0 and "member_id" in refused.stderr
    assert "Traceback" not in refused.stderr
