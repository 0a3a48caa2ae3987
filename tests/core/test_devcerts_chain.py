"""Development certificates: what the chain holds, checked by openssl, and how files are written."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from passkit.devcerts import DevCertificates, DevChain, make_dev_chain, write_dev_certificates
from passkit.errors import PasskitError
from tests.support.signing import openssl

NOW = datetime(2031, 6, 15, 8, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def chain() -> DevChain:
    return make_dev_chain(
        pass_type_id="pass.com.example.member",
        team_id="A1B2C3D4E5",
        valid_from=NOW - timedelta(hours=1),
        valid_until=NOW + timedelta(days=365),
    )


@pytest.fixture(scope="module")
def current_chain() -> DevChain:
    return make_dev_chain()


def _attribute(name: x509.Name, oid: x509.ObjectIdentifier) -> str:
    value = name.get_attributes_for_oid(oid)[0].value
    assert isinstance(value, str)
    return value


def test_pass_certificate_has_apple_subject_layout(chain: DevChain) -> None:
    certificate = x509.load_pem_x509_certificate(chain.pass_certificate_pem)
    assert _attribute(certificate.subject, NameOID.USER_ID) == "pass.com.example.member"
    assert _attribute(certificate.subject, NameOID.ORGANIZATIONAL_UNIT_NAME) == "A1B2C3D4E5"
    assert _attribute(certificate.subject, NameOID.COMMON_NAME) == (
        "Pass Type ID: pass.com.example.member"
    )
    assert NameOID.USER_ID.dotted_string == "0.9.2342.19200300.100.1.1"
    public = certificate.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    assert certificate.not_valid_before_utc <= NOW < certificate.not_valid_after_utc
    assert certificate.not_valid_after_utc - NOW > timedelta(days=300)
    constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.value.ca is False
    signer = chain.signer()
    assert (signer.pass_type_id, signer.team_id) == ("pass.com.example.member", "A1B2C3D4E5")


def test_chain_is_labelled_as_development_only(chain: DevChain) -> None:
    root = x509.load_pem_x509_certificate(chain.root_pem)
    wwdr = x509.load_pem_x509_certificate(chain.wwdr_pem)
    for certificate in (root, wwdr):
        name = _attribute(certificate.subject, NameOID.COMMON_NAME)
        assert "DEVELOPMENT" in name
        assert "not accepted by real devices" in name
        assert certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert root.issuer == root.subject
    assert wwdr.issuer == root.subject
    wwdr.verify_directly_issued_by(root)
    root.verify_directly_issued_by(root)


def test_openssl_verifies_the_chain(current_chain: DevChain, tmp_path: Path) -> None:
    for name, data in [
        ("root.pem", current_chain.root_pem),
        ("wwdr.pem", current_chain.wwdr_pem),
        ("pass.pem", current_chain.pass_certificate_pem),
    ]:
        (tmp_path / name).write_bytes(data)
    result = openssl(
        "verify", "-CAfile", tmp_path / "root.pem", "-untrusted", tmp_path / "wwdr.pem",
        "-x509_strict", tmp_path / "pass.pem",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": OK" in result.stdout


def test_ec_pass_certificate() -> None:
    chain = make_dev_chain(key_type="ec")
    certificate = x509.load_pem_x509_certificate(chain.pass_certificate_pem)
    public = certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert isinstance(public.curve, ec.SECP256R1)


def test_each_chain_has_fresh_keys(chain: DevChain, current_chain: DevChain) -> None:
    assert chain.pass_key_pem != current_chain.pass_key_pem
    assert chain.wwdr_key_pem != current_chain.wwdr_key_pem
    assert chain.root_pem != current_chain.root_pem


def test_google_service_account(chain: DevChain) -> None:
    account = json.loads(chain.google_service_account_json)
    assert account["type"] == "service_account"
    assert account["client_email"] == "passkit-dev@passkit-dev.iam.gserviceaccount.com"
    assert account["token_uri"] == "https://oauth2.googleapis.com/token"
    assert account["auth_uri"].startswith("https://accounts.google.com/")
    assert account["project_id"] == "passkit-dev"
    assert len(account["private_key_id"]) == 40
    assert account["client_id"].isdigit()
    assert account["private_key"].startswith("-----BEGIN PRIVATE KEY-----\n")  # PKCS#8
    key = serialization.load_pem_private_key(account["private_key"].encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    # usable for RS256, as Google Wallet save links are signed
    token = jwt.encode({"iss": account["client_email"], "aud": "google"}, key, algorithm="RS256")
    claims = jwt.decode(token, key.public_key(), algorithms=["RS256"], audience="google")
    assert claims["iss"] == account["client_email"]


def test_write_dev_certificates(tmp_path: Path) -> None:
    target = tmp_path / "certs"
    written = write_dev_certificates(target, pass_type_id="pass.example.write", team_id="WTEAM")
    assert isinstance(written, DevCertificates)
    assert sorted(path.name for path in target.iterdir()) == sorted(
        [
            "root.pem",
            "wwdr.pem",
            "pass-cert.pem",
            "pass-key.pem",
            "pass.p12",
            "google-service-account.json",
            "README.txt",
        ]
    )
    assert all(path.parent == target for path in written.files)
    for secret in (written.pass_key, written.pass_p12, written.google_service_account):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    readme = written.readme.read_text()
    assert "NOT ACCEPTED BY REAL DEVICES OR BY GOOGLE" in readme
    assert "DEVELOPMENT" in readme
    assert written.p12_password == "passkit-dev"
    assert f'password "{written.p12_password}"' in readme
    signer = written.signer()
    assert (signer.pass_type_id, signer.team_id) == ("pass.example.write", "WTEAM")


def test_p12_opens_with_openssl(dev_certs: DevCertificates) -> None:
    result = openssl(
        "pkcs12", "-in", dev_certs.pass_p12, "-passin", f"pass:{dev_certs.p12_password}",
        "-nokeys",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("BEGIN CERTIFICATE") == 2
    assert f"UID={dev_certs.pass_type_id}" in result.stdout.replace(" = ", "=")
    wrong = openssl("pkcs12", "-in", dev_certs.pass_p12, "-passin", "pass:nope", "-nokeys")
    assert wrong.returncode != 0


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    first = write_dev_certificates(tmp_path)
    before = {path: path.read_bytes() for path in first.files}
    with pytest.raises(PasskitError) as error:
        write_dev_certificates(tmp_path)
    message = str(error.value)
    assert "--force" in message
    assert "another directory" in message
    assert "root.pem" in message
    assert {path: path.read_bytes() for path in first.files} == before
    assert sorted(tmp_path.iterdir()) == sorted(before)  # no temporary files left beside them


def test_one_existing_file_blocks_everything(tmp_path: Path) -> None:
    (tmp_path / "pass-key.pem").write_text("my real key")
    with pytest.raises(PasskitError, match=r"already holds pass-key\.pem"):
        write_dev_certificates(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["pass-key.pem"]
    assert (tmp_path / "pass-key.pem").read_text() == "my real key"


def test_force_replaces_every_file(tmp_path: Path) -> None:
    first = write_dev_certificates(tmp_path)
    before = {path: path.read_bytes() for path in first.files}
    second = write_dev_certificates(tmp_path, force=True)
    for path in second.files:
        if path.name != "README.txt":
            assert path.read_bytes() != before[path], path
    second.signer()  # the new certificate, key and intermediate belong together


def test_file_in_place_of_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "certs"
    blocker.write_text("")
    with pytest.raises(PasskitError, match="is not a directory"):
        write_dev_certificates(blocker)
