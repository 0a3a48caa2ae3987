"""`passkit google publish LAYOUT`: the class a layout's save links name, published through the
REST API (the Google stand-in of passkit.testing, tokens included), inserted once and patched after,
and the same class the links of `passkit build` name."""

from __future__ import annotations

from pathlib import Path

import pytest

from passkit.devcerts import DevCertificates
from passkit.google import read_save_link
from passkit.google.kinds import google_kind
from passkit.layout import LAYOUTS_DIR, fixture_for
from passkit.testing import GoogleStandIn, open_save_link
from tests.support.cli import exit_status
from tests.support.google import assert_valid

ISSUER_ID = "3388000000022000001"


def publish(google: GoogleStandIn, dev_certs: DevCertificates, *args: str) -> int:
    account = str(dev_certs.google_service_account)
    options = ("--google-service-account", account, "--google-issuer-id", ISSUER_ID)
    return exit_status("google", "publish", *args, *options, "--google-api-url", google.api_url)


def classes_held(google: GoogleStandIn) -> dict[tuple[str, str], dict[str, object]]:
    return {key: value for key, value in google.resources.items() if "Class" in key[0]}


def test_publish_inserts_the_class_then_updates_it(
    google: GoogleStandIn,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert publish(google, dev_certs, "loyalty") == 0
    out = capsys.readouterr().out
    class_id = f"{ISSUER_ID}.loyalty"
    assert f"published LoyaltyClass {class_id}" in out
    ((resource, held_id), held) = next(iter(classes_held(google).items()))
    assert (resource, held_id) == ("loyaltyClass", class_id)
    assert_valid("LoyaltyClass", held)
    # What every loyalty card shows alike is the class's: links and fixed text.
    assert held["linksModuleData"] and held["textModulesData"]
    # The tokens came from the same server as the API (the key file names Google's).
    assert google.tokens_issued == 1

    # Again: the class exists, so it is patched, not inserted twice; nothing fails.
    assert publish(google, dev_certs, str(LAYOUTS_DIR / "loyalty.yaml")) == 0
    methods = [(r.method, r.path.rsplit("/", 1)[-1]) for r in google.requests]
    assert methods == [("POST", "loyaltyClass"), ("POST", "loyaltyClass"), ("PATCH", class_id)]
    assert len(classes_held(google)) == 1


def test_the_published_class_is_the_one_built_links_name(
    google: GoogleStandIn,
    dev_certs: DevCertificates,
    tmp_path: Path,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    layout = LAYOUTS_DIR / "event_ticket.yaml"  # its class depends on the record's event
    assert publish(google, dev_certs, str(layout), "--data", str(fixture_for(layout))) == 0
    account = str(dev_certs.google_service_account)
    status = exit_status(
        "build",
        str(layout),
        "--data",
        str(fixture_for(layout)),
        "--out",
        str(tmp_path),
        "--google-service-account",
        account,
        "--google-issuer-id",
        ISSUER_ID,
    )
    assert status == 0
    (link_file,) = tmp_path.glob("*.google.txt")
    view = open_save_link(link_file, dev_certs.google_service_account)
    (item,) = view.all_objects
    assert not view.classes and not item.skinny
    assert ("eventTicketClass", item.class_id) in classes_held(google)
    ((kind, raw),) = read_save_link(link_file.read_text()).objects
    assert_valid(google_kind(kind).object_schema, raw)


def test_publish_without_credentials_is_a_usage_error(
    clean_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_status("google", "publish", "loyalty") == 2
    assert "needs a Google service account and issuer id" in capsys.readouterr().err


def test_a_class_google_refuses_is_one_line_exit_2(
    google: GoogleStandIn,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    denied = {"error": {"code": 403, "message": "Issuer suspended", "status": "DENIED"}}
    google.fail_for(".coupon", 403, denied)
    assert publish(google, dev_certs, "coupon") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Google Wallet API POST offerClass: HTTP 403 DENIED")
    assert "Issuer suspended" in err and "Traceback" not in err
    assert classes_held(google) == {}


def test_an_api_address_off_this_machine_without_https_is_refused(
    google: GoogleStandIn,
    dev_certs: DevCertificates,
    clean_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = str(dev_certs.google_service_account)
    url = "http://wallet.example.com/walletobjects/v1"
    options = ("--google-service-account", account, "--google-issuer-id", ISSUER_ID)
    status = exit_status("google", "publish", "loyalty", *options, "--google-api-url", url)

    assert status == 2
    err = capsys.readouterr().err
    assert f"Invalid value for '--google-api-url': '{url}':" in err
    assert google.requests == []
