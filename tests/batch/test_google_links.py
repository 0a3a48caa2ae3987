"""`passkit build` with Google signing and no --google-insert: links that hold their objects and
name the layout's class, a build that says the class must be published, records whose object
is too long for a link, and layouts only Google refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from passkit.devcerts import DevCertificates
from passkit.testing import open_pkpass, open_save_link
from tests.support.batch import build_args, member, write_jsonl
from tests.support.cli import exit_status
from tests.support.layout import LOYALTY_CARD, write, write_loyalty_card

ISSUER_ID = "3388000000022000001"


def google_args(dev_certs: DevCertificates) -> list[str]:
    account = str(dev_certs.google_service_account)
    return ["--google-service-account", account, "--google-issuer-id", ISSUER_ID]


def test_links_hold_their_objects_and_the_build_says_the_class_must_be_published(
    tmp_path: Path, dev_certs: DevCertificates, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = write_loyalty_card(tmp_path)
    data = write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(3)])
    out = tmp_path / "out"
    options = ("--out", str(out), "--jobs", "1", "--no-progress", *google_args(dev_certs))
    assert exit_status(*build_args(layout, data, dev_certs, *options)) == 0
    err = capsys.readouterr().err
    class_id = f"{ISSUER_ID}.loyalty"
    assert (
        f"the 3 Google save link(s) hold their objects and name class {class_id}, which Google "
        "must hold for them to work: publish the class once with `passkit google publish "
        f"{layout}`" in err
    )
    assert "--google-insert" in err and "WalletClient" not in err
    links = sorted(out.glob("*.google.txt"))
    assert len(links) == 3
    for path in links:
        view = open_save_link(path, dev_certs.google_service_account)
        assert view.verified and not view.skinny and view.classes == {}
        assert view.holds == f"holds the object; names class {class_id}, which must be published"
        assert view.object().class_id == class_id and view.object().state == "ACTIVE"


def test_an_object_too_long_for_a_link_fails_its_record_and_names_its_largest_parts(
    tmp_path: Path, dev_certs: DevCertificates, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = write_loyalty_card(tmp_path)
    records = [member(0), member(1, member_name="Camille " * 300)]
    data = write_jsonl(tmp_path / "members.jsonl", records)
    out = tmp_path / "out"
    options = ("--out", str(out), "--jobs", "1", "--no-progress", *google_args(dev_certs))
    assert exit_status(*build_args(layout, data, dev_certs, *options)) == 1
    err = capsys.readouterr().err
    (failed,) = [line for line in err.splitlines() if line.startswith("failed: ")]
    assert "a save link holding the object would be " in failed
    assert "the largest parts of the object: accountName (2,40" in failed
    assert "build with --google-insert" in failed and "WalletClient" not in failed
    # Nothing is written for that record: no link naming an object nobody inserted.
    assert sorted(p.name for p in out.glob("lumen-*")) == [
        "lumen-70000000.google.txt",
        "lumen-70000000.pkpass",
    ]


def test_a_layout_only_google_refuses_still_gives_the_apple_passes(
    tmp_path: Path, dev_certs: DevCertificates, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    write_loyalty_card(tmp_path)  # the images
    text = LOYALTY_CARD.replace("  image_base_url: https://static.example/lumen/\n", "")
    layout = write(tmp_path, text, "unhosted.yaml")
    data = write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(3)])
    out = tmp_path / "out"
    options = ("--out", str(out), "--jobs", "2", "--no-progress", *google_args(dev_certs))
    assert exit_status(*build_args(layout, data, dev_certs, *options)) == 2
    err = capsys.readouterr().err
    # Said once, with the file and line of the image that needs an address.
    (problem,) = [line for line in err.splitlines() if "Google" in line and "logo" in line]
    assert problem.startswith(f"error: no Google save link was written: {layout}:")
    assert "google.program_logo: a Google loyalty card needs a logo" in problem
    assert "google.image_base_url" in problem
    assert "failed: " not in err
    bundles = sorted(out.glob("*.pkpass"))
    assert len(bundles) == 3 and not list(out.glob("*.google.txt"))
    for bundle in bundles:
        assert open_pkpass(bundle.read_bytes()).verify(ca=dev_certs.root) == []


def test_a_layout_only_google_refuses_stops_a_google_build_before_its_first_record(
    tmp_path: Path, dev_certs: DevCertificates, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    write_loyalty_card(tmp_path)
    text = LOYALTY_CARD.replace("  image_base_url: https://static.example/lumen/\n", "")
    layout = write(tmp_path, text, "unhosted.yaml")
    data = write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(3)])
    out = tmp_path / "out"
    args = ["build", str(layout), "--data", str(data), "--out", str(out), "--no-progress"]
    assert exit_status(*args, *google_args(dev_certs)) == 2
    err = capsys.readouterr().err
    assert err.count("needs a logo") == 1 and f"{layout}:" in err
    assert "built" not in err
    assert not out.exists() or not any(out.iterdir())


def test_demo_says_what_its_links_need_and_each_holds_its_object(
    tmp_path: Path, clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from passkit.layout import shipped_layouts

    assert exit_status("demo", str(tmp_path)) == 0
    out = capsys.readouterr().out
    count = len(shipped_layouts())
    assert f"note: the {count} Google save link(s) hold their objects and name classes" in out
    assert "passkit google publish" in out and "--google-insert" in out
    links = sorted(tmp_path.glob("*.google.txt"))
    assert len(links) == count
    for path in links:
        view = open_save_link(path, tmp_path / "certs" / "google-service-account.json")
        assert len(view.url) <= 1800 and not view.skinny and view.classes == {}
