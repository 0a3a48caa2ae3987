"""Reading Google save links: claims, classes, objects, fields, barcode, state, verification."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwt as jose_jwt
from joserfc.jwk import RSAKey
from PIL import Image

from passkit.errors import BundleError, PasskitError
from passkit.google import ServiceAccount, compile_google, save_link
from passkit.images import ImageSource
from passkit.model import Money, Pass
from passkit.testing import FieldNotFound, SaveLinkView, open_save_link
from tests.support.signing import as_x509_v2

ISSUER = "3388000000099999999"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def hosted(name: str, size: tuple[int, int]) -> ImageSource:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format="PNG")
    return ImageSource.from_bytes(
        buffer.getvalue(), name=f"{name}.png", url=f"https://img.example.com/{name}.png"
    )


def loyalty_pass(**overrides: Any) -> Pass:
    data: dict[str, Any] = {
        "kind": "loyalty",
        "serial_number": "M-1001",
        "organization": "Example Coffee",
        "description": "Example Coffee card",
        "images": {"icon": hosted("icon", (120, 120)), "logo": hosted("logo", (480, 150))},
        "header": [{"key": "points", "label": "Points", "value": 120}],
        "primary": [{"key": "member", "label": "Member", "value": "Ada Lovelace"}],
        "secondary": [{"key": "tier", "label": "Tier", "value": "Gold"}],
        "back": [{"key": "terms", "label": "Terms", "value": "Be nice."}],
        "barcode": {"format": "qr", "message": "M-1001", "alt_text": "1001"},
        "translations": {"fr": {"strings": {"Tier": "Niveau", "Gold": "Or", "Points": "Pts"}}},
    }
    data.update(overrides)
    return Pass(**data)


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def account_file(tmp_path_factory: pytest.TempPathFactory, key: rsa.RSAPrivateKey) -> Path:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path = tmp_path_factory.mktemp("google") / "service-account.json"
    document = {
        "type": "service_account",
        "client_email": "wallet@example-project.iam.gserviceaccount.com",
        "private_key_id": "k1",
        "private_key": pem,
    }
    path.write_text(json.dumps(document))
    return path


@pytest.fixture(scope="module")
def account(account_file: Path) -> ServiceAccount:
    return ServiceAccount.from_file(account_file)


@pytest.fixture(scope="module")
def link(account: ServiceAccount) -> str:
    gp = compile_google(loyalty_pass(), issuer_id=ISSUER)
    return save_link(gp, account, now=NOW, max_length=100_000).url


def test_claims_classes_and_objects(link: str, account: ServiceAccount) -> None:
    view = open_save_link(link, account)
    assert view.verified
    assert view.claims["iss"] == account.client_email
    assert view.claims["aud"] == "google" and view.claims["typ"] == "savetowallet"
    assert view.header["kid"] == "k1"
    assert list(view.classes) == ["loyalty"] and list(view.objects) == ["loyalty"]
    (only,) = view.objects["loyalty"]
    assert only.id == compile_google(loyalty_pass(), issuer_id=ISSUER).object_id
    assert only.class_id == view.classes["loyalty"][0].id
    assert view.object() is only
    assert view.object("M-1001") is only
    assert not view.skinny
    assert view.url == link
    assert view.problems() == []


def test_fields_barcode_and_state(link: str) -> None:
    view = open_save_link(link)
    assert not view.verified
    points = view.field("points")
    assert (points.value, points.label, points.group) == (120, "Points", "loyaltyPoints")
    member = view.field("member")
    assert (member.value, member.label, member.group) == ("Ada Lovelace", "Member", "accountName")
    tier = view.field("tier")
    assert (tier.value, tier.label, tier.group) == ("Gold", "Tier", "textModulesData")
    assert tier.localized_label("fr") == "Niveau"
    assert tier.localized_value("fr") == "Or"
    assert view.field("loyaltyPoints").value == 120  # the Google name works too
    barcode = view.barcode
    assert barcode is not None and (barcode.format, barcode.message, barcode.alt_text) == (
        "qr",
        "M-1001",
        "1001",
    )
    assert view.state == "ACTIVE"


def test_a_missing_field_lists_what_the_object_holds(link: str) -> None:
    with pytest.raises(FieldNotFound, match=r"no field with key 'nope'.*tier \(textModulesData\)"):
        open_save_link(link).field("nope")


def test_a_gift_card_balance_reads_as_money(account: ServiceAccount) -> None:
    p = loyalty_pass(
        kind="gift_card",
        header=[],
        primary=[
            {"key": "balance", "label": "Balance", "value": {"amount": "25.50", "currency": "EUR"}}
        ],
        secondary=[{"key": "pin", "label": "PIN", "value": "4321"}],
    )
    gp = compile_google(p, issuer_id=ISSUER)
    view = open_save_link(save_link(gp, account, now=NOW, max_length=100_000).url, account)
    assert view.field("balance").value == Money(amount=Decimal("25.5"), currency="EUR")
    pin = view.field("pin")
    assert (pin.value, pin.label) == ("4321", "PIN")


def test_a_skinny_link(account: ServiceAccount) -> None:
    gp = compile_google(loyalty_pass(), issuer_id=ISSUER)
    made = save_link(gp, account, now=NOW, max_length=10)
    assert made.skinny
    view = open_save_link(made.jwt, account)
    assert view.skinny and view.classes == {}
    assert view.object().raw == {"id": gp.object_id, "classId": gp.class_id}
    with pytest.raises(FieldNotFound, match="names object ids only"):
        view.field("points")
    assert view.problems() == []
    assert view.holds == f"names object ids only ({gp.object_id} of class {gp.class_id})"
    assert "inserted" not in view.holds


def test_links_are_described_by_what_they_hold(account: ServiceAccount) -> None:
    gp = compile_google(loyalty_pass(), issuer_id=ISSUER)
    alone = save_link(gp, account, now=NOW, class_inserted=True, max_length=100_000)
    assert not alone.skinny and not alone.holds_class
    view = open_save_link(alone.url, account)
    assert view.classes == {} and not view.skinny
    expected = f"holds the object; names class {gp.class_id}, which must be published"
    assert view.holds == expected
    assert alone.holds == expected
    # A field missing from such a link is looked up with the reason beside it.
    with pytest.raises(FieldNotFound, match="which must be published"):
        view.field("no-such-field")
    whole = open_save_link(save_link(gp, account, now=NOW, max_length=100_000).url, account)
    assert whole.holds == f"holds the object and its class {gp.class_id}"


def self_signed(key: rsa.RSAPrivateKey) -> x509.Certificate:
    """A certificate of `key`'s public key, signed by the key itself."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "wallet")])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2027, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )


@pytest.mark.parametrize(
    "form",
    [
        "service account",
        "file",
        "path text",
        "pem",
        "pem text",
        "key",
        "private key",
        "certificate",
        "dict",
    ],
)
def test_every_form_of_key_verifies(
    form: str, link: str, key: rsa.RSAPrivateKey, account: ServiceAccount, account_file: Path
) -> None:
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    source: Any = {
        "service account": account,
        "file": account_file,
        "path text": str(account_file),
        "pem": public_pem,
        "pem text": public_pem.decode(),
        "key": key.public_key(),
        "private key": key,
        "certificate": self_signed(key),
        "dict": json.loads(account_file.read_text()),
    }[form]
    assert open_save_link(link, source).verified


def test_a_link_signed_by_another_key_does_not_verify(link: str) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(BundleError, match="does not verify"):
        open_save_link(link, other.public_key())


def test_a_tampered_link_does_not_verify(link: str, account: ServiceAccount) -> None:
    header, claims, signature = link.rsplit("/", 1)[1].split(".")
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    decoded["payload"]["loyaltyObjects"][0]["loyaltyPoints"]["balance"]["int"] = 999_999
    forged = base64.urlsafe_b64encode(json.dumps(decoded).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{forged}.{signature}"
    assert open_save_link(tampered).field("points").value == 999_999  # readable unverified...
    with pytest.raises(BundleError, match="does not verify"):
        open_save_link(tampered, account)  # ...but refused when checked


def test_a_link_from_another_jwt_library_reads_the_same(key: rsa.RSAPrivateKey) -> None:
    # A JWT made by joserfc (not by passkit), in the form Google documents.
    claims = {
        "iss": "wallet@example-project.iam.gserviceaccount.com",
        "aud": "google",
        "typ": "savetowallet",
        "origins": [],
        "payload": {
            "genericObjects": [
                {
                    "id": f"{ISSUER}.member-7",
                    "classId": f"{ISSUER}.members",
                    "state": "EXPIRED",
                    "barcode": {"type": "PDF_417", "value": "7", "alternateText": "seven"},
                    "textModulesData": [{"id": "plan", "header": "Plan", "body": "Premium"}],
                }
            ]
        },
    }
    token = jose_jwt.encode({"alg": "RS256"}, claims, RSAKey.import_key(key))
    view = open_save_link(token, key.public_key())
    assert view.verified and view.state == "EXPIRED"
    barcode = view.barcode
    assert barcode is not None and (barcode.format, barcode.alt_text) == ("pdf417", "seven")
    assert view.field("plan").value == "Premium"
    # The class is not carried: it was inserted beforehand, a pattern Google allows.
    assert view.problems() == []


def test_a_link_file(link: str, tmp_path: Path) -> None:
    path = tmp_path / "M-1001.google.txt"
    path.write_text(link + "\n")
    view = open_save_link(path)
    assert view.source == str(path)
    assert view.field("points").value == 120
    assert open_save_link(str(path)).field("points").value == 120


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("https://example.com/not-google", "not a Google Wallet save link"),
        ("a.b", "not a JWT"),
        ("!!!.???.###", "not base64url JSON"),
        (
            base64.urlsafe_b64encode(b'{"alg":"RS256"}').decode().rstrip("=")
            + "."
            + base64.urlsafe_b64encode(b'{"aud":"google"}').decode().rstrip("=")
            + ".c2ln",
            "no 'payload'",
        ),
    ],
)
def test_malformed_links(text: str, match: str) -> None:
    with pytest.raises(BundleError, match=match):
        open_save_link(text)


def test_an_unusable_key_is_a_clear_error(link: str, tmp_path: Path) -> None:
    with pytest.raises(PasskitError, match="cannot read the key"):
        open_save_link(link, tmp_path / "absent.pem")
    (tmp_path / "junk.pem").write_text("junk")
    with pytest.raises(PasskitError, match="not a PEM public key"):
        open_save_link(link, tmp_path / "junk.pem")
    # An X.509 v2 certificate: cryptography refuses it with an exception of its own.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = self_signed(key).public_bytes(serialization.Encoding.DER)
    body = base64.encodebytes(as_x509_v2(der)).decode()
    pem = f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n"
    (tmp_path / "v2.pem").write_text(pem)
    with pytest.raises(PasskitError, match="not a PEM public key"):
        open_save_link(link, tmp_path / "v2.pem")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_random_text_ends_in_bundle_error(text: str) -> None:
    try:
        view = open_save_link(text)
    except BundleError:
        return
    assert isinstance(view, SaveLinkView)  # a well-formed JWT by chance: still readable


@settings(max_examples=100, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=20,
    )
)
def test_any_json_payload_ends_in_bundle_error_or_a_view(payload: Any) -> None:
    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    token = f"{part({'alg': 'RS256'})}.{part({'payload': payload})}.c2ln"
    try:
        view = open_save_link(token)
    except BundleError:
        return
    for item in view.all_objects:
        try:
            item.fields  # noqa: B018
            item.barcode  # noqa: B018
        except PasskitError:
            pass
