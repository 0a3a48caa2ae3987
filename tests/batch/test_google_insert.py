"""`passkit build --google-insert`: classes and objects inserted through the REST API (the Google
stand-in of passkit.testing), save links that carry only their ids, and what happens when Google
refuses a pass or cannot be reached."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from passkit.batch import google_insert
from passkit.batch.google_insert import INSERTS_IN_FLIGHT
from passkit.devcerts import DevCertificates
from passkit.testing import GoogleStandIn, open_pkpass, open_save_link
from tests.support.batch import build_args, member, write_jsonl
from tests.support.cli import exit_status
from tests.support.layout import write_loyalty_card

ISSUER_ID = "3388000000022000001"
REFUSED = (400, {"error": {"code": 400, "message": "Invalid barcode value", "status": "BAD"}})
FORBIDDEN = (403, {"error": {"code": 403, "message": "Issuer suspended", "status": "DENIED"}})


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_loyalty_card(tmp_path_factory.mktemp("layout"))


def account_file(google: GoogleStandIn, dev_certs: DevCertificates, tmp_path: Path) -> Path:
    """The development service account, sending its token requests to the local server."""
    document = json.loads(dev_certs.google_service_account.read_text())
    document["token_uri"] = google.token_url
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(document))
    return path


def members(tmp_path: Path, count: int) -> Path:
    return write_jsonl(tmp_path / "members.jsonl", [member(i) for i in range(count)])


def build(
    layout: Path, data: Path, out: Path, certs: DevCertificates, account: Path, *more: str
) -> int:
    """`passkit build --google-insert` into `out`, Apple and Google signing both configured."""
    google = ["--google-service-account", str(account), "--google-issuer-id", ISSUER_ID]
    options = ("--out", str(out), *google, "--google-insert", "--no-progress", *more)
    return exit_status(*build_args(layout, data, certs, *options))


def objects_held(google: GoogleStandIn) -> dict[str, dict[str, object]]:
    return {
        key: value for (resource, key), value in google.resources.items() if "Object" in resource
    }


def test_insert_puts_class_and_objects_in_google_and_links_name_them(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    google: GoogleStandIn,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = account_file(google, dev_certs, tmp_path)
    out = tmp_path / "out"
    more = ("--google-api-url", google.api_url, "--jobs", "2")
    assert build(layout, members(tmp_path, 6), out, dev_certs, account, *more) == 0
    assert "hold only the class and object ids" not in capsys.readouterr().err

    classes = [key for (resource, key) in google.resources if "Class" in resource]
    assert len(classes) == 1
    held = objects_held(google)
    assert len(held) == 6
    for link_file in sorted(out.glob("*.google.txt")):
        link = open_save_link(link_file.read_text().strip(), public_key=account)
        assert link.skinny
        (reference,) = link.all_objects
        assert reference.id is not None
        stored = held[reference.id]
        assert stored["classId"] == classes[0] == reference.class_id
        # The object Google holds is the whole pass of the link's record.
        member_id = link_file.name.removeprefix("lumen-").removesuffix(".google.txt")
        assert member_id in json.dumps(stored["barcode"])
    for bundle in out.glob("*.pkpass"):
        assert open_pkpass(bundle.read_bytes()).verify(ca=dev_certs.root) == []


def test_a_pass_google_refuses_fails_alone(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    google: GoogleStandIn,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    google.fail_for("70000002", *REFUSED)
    account = account_file(google, dev_certs, tmp_path)
    out = tmp_path / "out"
    more = ("--google-api-url", google.api_url, "--jobs", "1")
    assert build(layout, members(tmp_path, 5), out, dev_certs, account, *more) == 1

    (failure,) = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert failure["line"] == 3
    assert "Invalid barcode value" in failure["error"]
    assert "400" in failure["error"]
    assert not list(out.glob("lumen-70000002.*"))
    assert len(list(out.glob("*.pkpass"))) == len(list(out.glob("*.google.txt"))) == 4
    assert len(objects_held(google)) == 4


def test_objects_are_inserted_several_at_once(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    google: GoogleStandIn,
    clean_env: None,
) -> None:
    google.delay = 0.05
    account = account_file(google, dev_certs, tmp_path)
    out = tmp_path / "out"
    more = ("--google-api-url", google.api_url, "--jobs", "1")
    assert build(layout, members(tmp_path, 20), out, dev_certs, account, *more) == 0
    assert len(objects_held(google)) == 20
    assert 1 < google.most_in_flight <= INSERTS_IN_FLIGHT


def test_when_google_refuses_the_account_the_rest_fail_at_once_and_resume(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    google: GoogleStandIn,
    clean_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One insert at a time, so that which records were sent before the refusal is known.
    monkeypatch.setattr(google_insert, "INSERTS_IN_FLIGHT", 1)
    google.fail_for("70000001", *FORBIDDEN)
    account = account_file(google, dev_certs, tmp_path)
    out = tmp_path / "out"
    data = members(tmp_path, 5)
    more = ("--google-api-url", google.api_url, "--jobs", "1")
    assert build(layout, data, out, dev_certs, account, *more) == 1

    failures = [json.loads(line) for line in (out / "failures.jsonl").read_text().splitlines()]
    assert [f["line"] for f in failures] == [2, 3, 4, 5]
    assert "Issuer suspended" in failures[0]["error"]
    for later in failures[1:]:
        assert "failed earlier in this batch" in later["error"]
        assert "--skip-existing" in later["error"]
    # After the refusal, no request was made for the records that followed.
    about = [f"{r.path} {json.dumps(r.body)}" for r in google.requests]
    assert any("70000001" in text for text in about)
    assert not [text for text in about if any(f"7000000{n}" in text for n in (2, 3, 4))]
    assert [p.name for p in out.glob("*.pkpass")] == ["lumen-70000000.pkpass"]

    google.clear_failures()
    assert build(layout, data, out, dev_certs, account, *more, "--skip-existing") == 0
    assert len(list(out.glob("*.google.txt"))) == 5
    assert len(objects_held(google)) == 5


def test_an_api_out_of_reach_stops_the_build_before_any_pass(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    google: GoogleStandIn,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    google.fail_token(400, {"error": "invalid_grant", "error_description": "Invalid JWT"})
    account = account_file(google, dev_certs, tmp_path)
    out = tmp_path / "out"
    more = ("--google-api-url", google.api_url)
    assert build(layout, members(tmp_path, 3), out, dev_certs, account, *more) == 2
    error = capsys.readouterr().err
    assert "could not get an access token" in error
    assert "invalid_grant" in error
    assert not out.exists() or not any(out.iterdir())


def test_the_api_address_moves_the_token_endpoint_too(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    google: GoogleStandIn,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The key file names Google's own token endpoint: with --google-api-url, the tokens come
    # from the same server as the API instead, and nothing goes to Google.
    out = tmp_path / "out"
    more = ("--google-api-url", google.api_url)
    account = dev_certs.google_service_account
    assert json.loads(account.read_text())["token_uri"].startswith("https://oauth2.googleapis")
    assert build(layout, members(tmp_path, 2), out, dev_certs, account, *more) == 0, (
        capsys.readouterr().err
    )
    assert google.tokens_issued >= 1
    assert {token.claims["aud"] for token in google.assertions} == {google.token_url}
    assert len(objects_held(google)) == 2


def test_insert_without_google_credentials_is_a_usage_error(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = members(tmp_path, 1)
    status = exit_status(
        *build_args(layout, data, dev_certs, "--out", str(tmp_path / "out"), "--google-insert")
    )
    assert status == 2
    assert "--google-insert needs a Google service account" in capsys.readouterr().err


def test_an_api_address_without_insert_is_a_usage_error(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = members(tmp_path, 1)
    options = ("--out", str(tmp_path / "out"), "--google-api-url", "http://127.0.0.1:9/v1")
    assert exit_status(*build_args(layout, data, dev_certs, *options)) == 2
    assert "give both" in capsys.readouterr().err


@pytest.mark.parametrize(
    "url",
    [
        "http://wallet.example.com/walletobjects/v1",  # plain http off this machine
        "http://10.0.0.8/walletobjects/v1",
        "ftp://127.0.0.1/walletobjects/v1",
        "walletobjects.example.com/v1",  # no scheme
    ],
)
def test_an_api_address_the_tokens_must_not_go_to_is_refused_naming_the_option(
    layout: Path,
    tmp_path: Path,
    dev_certs: DevCertificates,
    google: GoogleStandIn,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
    url: str,
) -> None:
    account = account_file(google, dev_certs, tmp_path)
    out = tmp_path / "out"
    assert (
        build(layout, members(tmp_path, 2), out, dev_certs, account, "--google-api-url", url) == 2
    )

    err = capsys.readouterr().err
    assert f"Invalid value for '--google-api-url': '{url}':" in err
    assert "give an https:// address" in err
    assert "Traceback" not in err
    assert not out.exists()  # refused before anything was built
    assert google.tokens_issued == 0 and google.requests == []
