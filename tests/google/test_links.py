"""Signed save links, verified with joserfc (a second JWT implementation), and read back."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt as jose_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import RSAKey

from passkit.errors import BundleError
from passkit.google import ServiceAccount, compile_google, read_save_link, save_link
from passkit.google.kinds import KINDS
from passkit.google.links import SAVE_URL
from tests.support.google import (
    ISSUER_ID,
    KIND_DATA,
    NOW,
    account_json,
    assert_valid,
    make_account,
    sample_pass,
)


@pytest.fixture(scope="module")
def account() -> ServiceAccount:
    return make_account()


def jose_key(account: ServiceAccount) -> RSAKey:
    pem = account.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return RSAKey.import_key(pem)


def verify(link_url: str, account: ServiceAccount) -> Any:
    assert link_url.startswith(SAVE_URL)
    return jose_jwt.decode(link_url[len(SAVE_URL) :], jose_key(account), algorithms=["RS256"])


def raw_segment(token: str, index: int) -> bytes:
    part = token.split(".")[index]
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@pytest.mark.parametrize("kind", list(KIND_DATA))
def test_full_link_verifies_with_joserfc_and_carries_class_and_object(
    kind: str, account: ServiceAccount
) -> None:
    gp = compile_google(sample_pass(kind), issuer_id=ISSUER_ID, class_suffix="demo")
    link = save_link(gp, account, origins=["https://shop.example"], now=NOW, max_length=100_000)
    assert not link.skinny and link.notice is None
    token = verify(link.url, account)
    assert token.header == {"alg": "RS256", "kid": account.private_key_id, "typ": "JWT"}
    claims = token.claims
    assert claims["iss"] == "wallet@passkit-tests.iam.gserviceaccount.com"
    assert claims["aud"] == "google" and claims["typ"] == "savetowallet"
    assert claims["iat"] == int(NOW.timestamp())
    assert claims["origins"] == ["https://shop.example"]
    google_kind = KINDS[gp.kind]
    assert claims["payload"] == {
        google_kind.class_payload_key: [gp.class_json],
        google_kind.object_payload_key: [gp.object_json],
    }
    assert_valid(google_kind.class_schema, claims["payload"][google_kind.class_payload_key][0])
    assert_valid(google_kind.object_schema, claims["payload"][google_kind.object_payload_key][0])


def test_header_and_claims_are_compact_json(account: ServiceAccount) -> None:
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    link = save_link(gp, account, now=NOW, max_length=100_000)
    header, claims = raw_segment(link.jwt, 0), raw_segment(link.jwt, 1)
    assert json.loads(claims)["payload"]["genericObjects"][0]["id"] == gp.object_id
    # Compact: re-serialising with the tightest separators gives the same bytes.
    for raw in (header, claims):
        tight = json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False)
        assert raw == tight.encode("utf-8")


def test_origins_default_to_the_layout_and_time_to_now(account: ServiceAccount) -> None:
    from passkit.google import GoogleOptions

    options = GoogleOptions(origins=("https://acme.example",))
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID, options=options)
    before = int(datetime.now(UTC).timestamp())
    claims = verify(save_link(gp, account, max_length=100_000).url, account).claims
    assert claims["origins"] == ["https://acme.example"]
    assert before <= claims["iat"] <= int(datetime.now(UTC).timestamp())


def test_long_pass_yields_a_skinny_link_with_ids_only(account: ServiceAccount) -> None:
    back = [{"key": f"note{i}", "label": f"Note {i}", "value": "x" * 200} for i in range(10)]
    gp = compile_google(sample_pass("loyalty", back=back), issuer_id=ISSUER_ID)
    link = save_link(gp, account, now=NOW)
    assert link.skinny
    assert len(link.url) <= 1800
    assert link.notice is not None
    assert gp.class_id in link.notice and gp.object_id in link.notice
    # The notice says which parts make the pass long, largest first.
    assert link.too_long is not None and link.too_long in link.notice
    assert "the largest parts of the object: textModulesData (" in link.too_long
    claims = verify(link.url, account).claims
    assert claims["payload"] == {"loyaltyObjects": [{"id": gp.object_id, "classId": gp.class_id}]}
    decoded = read_save_link(link.url, verify_with=account)
    assert decoded.skinny and decoded.verified


def test_link_length_threshold_is_exact(account: ServiceAccount) -> None:
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    full = save_link(gp, account, now=NOW, max_length=100_000)
    assert not full.skinny
    exact = save_link(gp, account, now=NOW, max_length=len(full.url))
    assert not exact.skinny and len(exact.url) == len(full.url)
    shorter = save_link(gp, account, now=NOW, max_length=len(full.url) - 1)
    assert shorter.skinny


def test_same_inputs_and_clock_give_the_same_link(account: ServiceAccount) -> None:
    gp = compile_google(sample_pass("gift_card"), issuer_id=ISSUER_ID)
    assert save_link(gp, account, now=NOW).url == save_link(gp, account, now=NOW).url


def test_read_save_link_returns_classes_and_objects(account: ServiceAccount) -> None:
    gp = compile_google(sample_pass("event_ticket", translations={}), issuer_id=ISSUER_ID)
    link = save_link(gp, account, now=NOW, max_length=100_000)
    decoded = read_save_link(link.url, verify_with=account)
    assert decoded.verified and not decoded.skinny
    assert decoded.classes == (("eventTicket", gp.class_json),)
    assert decoded.objects == (("eventTicket", gp.object_json),)
    assert decoded.header["kid"] == account.private_key_id
    assert read_save_link(link.jwt).claims == decoded.claims


def test_tampered_or_foreign_links_do_not_verify(account: ServiceAccount) -> None:
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    link = save_link(gp, account, now=NOW, max_length=100_000)
    header, _, signature = link.jwt.split(".")
    forged = json.loads(raw_segment(link.jwt, 1))
    forged["payload"]["genericObjects"][0]["state"] = "EXPIRED"
    forged_part = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode("ascii")
    tampered = f"{header}.{forged_part}.{signature}"
    with pytest.raises(BadSignatureError):
        jose_jwt.decode(tampered, jose_key(account), algorithms=["RS256"])
    with pytest.raises(BundleError, match="does not verify"):
        read_save_link(tampered, verify_with=account)
    fresh = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = ServiceAccount.from_json(account_json(fresh), source="other")
    with pytest.raises(BundleError, match="does not verify"):
        read_save_link(link.url, verify_with=other)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("https://example.com/x.y.z", "not a Google Wallet save link"),
        ("abc", "not a JWT"),
        ("a.b.c", "not base64url JSON"),
        (SAVE_URL + "e30.e30.sig", "no 'payload'"),
    ],
)
def test_malformed_links_are_reported(text: str, message: str) -> None:
    with pytest.raises(BundleError, match=message):
        read_save_link(text)


def test_sign_jwt_is_plain_rs256_pkcs1(account: ServiceAccount) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    token = account.sign_jwt({"a": 1})
    signing_input, _, signature = token.rpartition(".")
    account.public_key().verify(
        raw_segment(token, 2), signing_input.encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    assert len(signature) == account.signature_length


@pytest.mark.parametrize("kind", list(KIND_DATA))
def test_spliced_claims_equal_the_plain_serialisation(kind: str, account: ServiceAccount) -> None:
    from passkit.google.credentials import compact_json
    from passkit.google.links import save_claims, save_claims_text

    gp = compile_google(sample_pass(kind), issuer_id=ISSUER_ID)
    origins = ["https://a.example", "https://b.example"]
    spliced = save_claims_text(account, origins, 1_700_000_000, gp.payload_text())
    plain = compact_json(save_claims(account, origins, 1_700_000_000, gp.payload()))
    assert spliced == plain


def test_a_small_pass_fits_in_a_full_link(account: ServiceAccount) -> None:
    from passkit.model import Pass

    p = Pass(
        kind="generic",
        serial_number="M-1",
        organization="Gym",
        description="Membership",
        primary=[{"key": "member", "label": "Member", "value": "Ann"}],
        barcode={"message": "M-1"},
    )
    gp = compile_google(p, issuer_id=ISSUER_ID)
    link = save_link(gp, account, now=NOW)
    assert not link.skinny and len(link.url) <= 1800
    assert verify(link.url, account).claims["payload"] == gp.payload()


def test_links_for_an_inserted_class_carry_the_object_alone(account: ServiceAccount) -> None:
    gp = compile_google(sample_pass("gift_card"), issuer_id=ISSUER_ID)
    link = save_link(gp, account, now=NOW, max_length=100_000, class_inserted=True)
    assert verify(link.url, account).claims["payload"] == {"giftCardObjects": [gp.object_json]}
    skinny = save_link(gp, account, now=NOW, class_inserted=True, max_length=900)
    assert skinny.skinny and skinny.notice and skinny.too_long
    assert f"Google must hold object {gp.object_id} (" in skinny.notice
    assert skinny.too_long.startswith("a save link holding the object would be ")


def test_links_for_an_inserted_class_and_object_carry_their_ids_alone(
    account: ServiceAccount,
) -> None:
    gp = compile_google(sample_pass("gift_card"), issuer_id=ISSUER_ID)
    assert not save_link(gp, account, now=NOW, max_length=100_000).skinny
    link = save_link(gp, account, now=NOW, max_length=100_000, ids_only=True)
    assert link.skinny and link.notice is None
    payload = verify(link.url, account).claims["payload"]
    assert payload == {"giftCardObjects": [{"id": gp.object_id, "classId": gp.class_id}]}
    assert read_save_link(link.url, verify_with=account).skinny
