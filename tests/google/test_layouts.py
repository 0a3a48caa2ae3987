"""Every shipped layout, rendered with its fixture record, yields a Google save link that
verifies with the service account's public key and whose class and object match the
walletobjects v1 discovery document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from joserfc import jwt as jose_jwt
from joserfc.jwk import RSAKey

from passkit.devcerts import DevCertificates
from passkit.google import ServiceAccount, compile_google, read_save_link, save_link
from passkit.google.links import MAX_LINK_LENGTH, SAVE_URL
from passkit.layout import fixture_for, load_layout, shipped_layouts
from tests.support.google import ISSUER_ID, NOW, assert_valid, validate_google_pass

LAYOUTS = shipped_layouts()


@pytest.fixture(scope="module")
def account(dev_certs: DevCertificates) -> ServiceAccount:
    return ServiceAccount.from_file(dev_certs.google_service_account)


def decode(url: str, account: ServiceAccount) -> dict[str, object]:
    pem = account.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = jose_jwt.decode(url[len(SAVE_URL) :], RSAKey.import_key(pem), algorithms=["RS256"])
    assert token.header["kid"] == account.private_key_id
    return dict(token.claims)


def test_layouts_are_shipped() -> None:
    names = {path.stem for path in LAYOUTS}
    assert {"loyalty", "gift_card", "generic", "coupon", "event_ticket", "boarding_pass"} <= names


@pytest.mark.parametrize("path", LAYOUTS, ids=[p.stem for p in LAYOUTS])
def test_shipped_layout_yields_a_valid_save_link(path: Path, account: ServiceAccount) -> None:
    layout = load_layout(path)
    record = json.loads(fixture_for(path).read_text(encoding="utf-8"))
    p = layout.render(record, now=NOW)
    gp = compile_google(p, issuer_id=ISSUER_ID, options=layout.google)
    validate_google_pass(gp)

    # The link as built: the object alone (the class is published apart), and it fits.
    link = save_link(gp, account, now=NOW, class_inserted=True)
    assert not link.skinny and link.too_long is None, link.notice
    assert len(link.url) <= MAX_LINK_LENGTH
    claims = decode(link.url, account)
    assert claims["iss"] == account.client_email and claims["aud"] == "google"
    assert claims["typ"] == "savetowallet" and claims["iat"] == int(NOW.timestamp())
    assert claims["payload"] == {gp.object_payload_key: [gp.object_json]}
    assert_valid(gp.google_kind.object_schema, gp.object_json)
    assert_valid(gp.google_kind.class_schema, gp.class_json)
    # What every pass shows alike is in the class, not in the object.
    held = set(layout.google.class_fields)
    object_modules = {m["id"] for m in gp.object_json.get("textModulesData", [])}
    assert not object_modules & held
    if layout.spec.links:
        assert "linksModuleData" not in gp.object_json
        assert gp.class_json["linksModuleData"]["uris"]

    # The same link without a length limit carries the class and the object in full.
    full = save_link(gp, account, now=NOW, max_length=1_000_000)
    assert not full.skinny
    payload = decode(full.url, account)["payload"]
    assert isinstance(payload, dict)
    kind = gp.google_kind
    (class_json,) = payload[kind.class_payload_key]
    (object_json,) = payload[kind.object_payload_key]
    assert_valid(kind.class_schema, class_json)
    assert_valid(kind.object_schema, object_json)
    assert object_json["classId"] == class_json["id"]
    decoded = read_save_link(full.url, verify_with=account)
    assert decoded.classes == ((gp.kind, class_json),)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("boarding_pass", {"Departs", "Arrives", "Date", "Coach", "Seat"}),
        ("coupon", {"Valid until", "Offer", "For"}),
        ("event_ticket", {"Doors", "Starts", "Seat"}),
    ],
)
def test_the_preview_still_shows_what_google_shows_in_its_own_places(
    name: str, expected: set[str]
) -> None:
    # Fields Google shows natively are no text modules any more: the preview draws them from
    # the fields that give them.
    from passkit.preview.google_view import google_view
    from passkit.preview.sample import load_sample

    sample = load_sample(name)
    view = google_view(sample.render(), "en", sample.layout.google)
    labels = {item.label for row in view.rows for item in row}
    assert expected <= labels, labels
