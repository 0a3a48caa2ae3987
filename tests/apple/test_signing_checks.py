"""What AppleSigner refuses and explains: bad files, wrong keys and chains, dates, identifiers."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates, DevChain, make_dev_chain
from passkit.errors import SigningError
from tests.support.signing import as_x509_v2, damaged_rsa_key

START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture(scope="module")
def chain() -> DevChain:
    """A chain valid for a year from an hour before a known time."""
    return make_dev_chain(
        valid_from=START - HOUR,
        valid_until=START - HOUR + timedelta(days=365),
        pass_type_id="pass.com.example.checks",
        team_id="TEAMCHECK",
    )


@pytest.fixture(scope="module")
def other_chain() -> DevChain:
    return make_dev_chain()


def _issue(
    chain: DevChain,
    subject: x509.Name,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
    *,
    not_before: datetime | None = None,
) -> bytes:
    """A certificate for `key` issued by the chain's development WWDR."""
    wwdr = x509.load_pem_x509_certificate(chain.wwdr_pem)
    wwdr_key = serialization.load_pem_private_key(chain.wwdr_key_pem, None)
    assert isinstance(wwdr_key, rsa.RSAPrivateKey)
    start = datetime.now(UTC) - timedelta(days=1) if not_before is None else not_before
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(wwdr.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=100))
        .sign(wwdr_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def _pem_key(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey,
) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _pass_subject(uid: str | None = "pass.x", unit: str | None = "TEAM") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, "Pass Type ID: test")]
    if uid:
        attributes.append(x509.NameAttribute(NameOID.USER_ID, uid))
    if unit:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    return x509.Name(attributes)


# --- unreadable input ---------------------------------------------------------------------


def test_missing_certificate_file_is_named(tmp_path: Path, chain: DevChain) -> None:
    missing = tmp_path / "nope" / "cert.pem"
    with pytest.raises(SigningError, match="does not exist") as error:
        AppleSigner.from_pem(missing, chain.pass_key_pem, wwdr=chain.wwdr_pem)
    assert str(missing) in str(error.value)


def test_directory_instead_of_key_file(tmp_path: Path, chain: DevChain) -> None:
    with pytest.raises(SigningError, match="is a directory") as error:
        AppleSigner.from_pem(chain.pass_certificate_pem, tmp_path, wwdr=chain.wwdr_pem)
    assert str(tmp_path) in str(error.value)


def test_garbage_certificate_file_is_named(tmp_path: Path, chain: DevChain) -> None:
    bad = tmp_path / "cert.pem"
    bad.write_bytes(b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    with pytest.raises(
        SigningError, match=r"not a readable X\.509 certificate in PEM or DER"
    ) as error:
        AppleSigner.from_pem(bad, chain.pass_key_pem, wwdr=chain.wwdr_pem)
    assert str(bad) in str(error.value)


def test_certificate_of_an_unknown_x509_version(tmp_path: Path, chain: DevChain) -> None:
    # X.509 v2: cryptography refuses it with an exception of its own, not a ValueError.
    der = x509.load_pem_x509_certificate(chain.pass_certificate_pem).public_bytes(
        serialization.Encoding.DER
    )
    bad = tmp_path / "cert.der"
    bad.write_bytes(as_x509_v2(der))
    with pytest.raises(SigningError, match="not a valid X509 version") as error:
        AppleSigner.from_pem(bad, chain.pass_key_pem, wwdr=chain.wwdr_pem)
    assert str(bad) in str(error.value)


def test_binary_garbage_certificate(chain: DevChain) -> None:
    with pytest.raises(SigningError, match="certificate given as bytes"):
        AppleSigner.from_pem(b"\x00\x01garbage", chain.pass_key_pem, wwdr=chain.wwdr_pem)


def test_key_file_given_as_certificate(tmp_path: Path, chain: DevChain) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(chain.pass_key_pem)
    with pytest.raises(SigningError, match="no PEM CERTIFICATE block") as error:
        AppleSigner.from_pem(key, key, wwdr=chain.wwdr_pem)
    assert str(key) in str(error.value)


def test_certificate_file_given_as_key(tmp_path: Path, chain: DevChain) -> None:
    cert = tmp_path / "cert.pem"
    cert.write_bytes(chain.pass_certificate_pem)
    with pytest.raises(SigningError, match="no PEM private key block") as error:
        AppleSigner.from_pem(cert, cert, wwdr=chain.wwdr_pem)
    assert str(cert) in str(error.value)


def test_garbage_der_key(chain: DevChain) -> None:
    with pytest.raises(SigningError, match="not a readable private key"):
        AppleSigner.from_pem(chain.pass_certificate_pem, b"\x30\x03\x02\x01\x00")


def test_unreadable_wwdr_is_named(tmp_path: Path, chain: DevChain) -> None:
    wwdr = tmp_path / "wwdr.pem"
    wwdr.write_text("hello")
    with pytest.raises(SigningError, match="WWDR certificate file") as error:
        AppleSigner.from_pem(chain.pass_certificate_pem, chain.pass_key_pem, wwdr=wwdr)
    assert str(wwdr) in str(error.value)


# --- key, certificate and chain -----------------------------------------------------------


def test_key_does_not_match_certificate(chain: DevChain, other_chain: DevChain) -> None:
    with pytest.raises(SigningError, match="does not match the pass certificate") as error:
        AppleSigner.from_pem(
            chain.pass_certificate_pem, other_chain.pass_key_pem, wwdr=chain.wwdr_pem
        )
    assert "Pass Type ID: pass.com.example.checks" in str(error.value)


def test_a_damaged_key_is_refused_before_it_signs(chain: DevChain) -> None:
    # The public part matches the certificate: OpenSSL's slow consistency check is skipped
    # at loading, so the signer's trial signature must catch the damage.
    good = serialization.load_pem_private_key(chain.pass_key_pem, None)
    assert isinstance(good, rsa.RSAPrivateKey)
    damaged = damaged_rsa_key(good)
    pem = damaged.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(SigningError, match="is damaged: its signatures do not verify"):
        AppleSigner.from_pem(chain.pass_certificate_pem, pem, wwdr=chain.wwdr_pem)
    # The intact key of the same certificate signs.
    AppleSigner.from_pem(chain.pass_certificate_pem, chain.pass_key_pem, wwdr=chain.wwdr_pem)


@pytest.mark.parametrize(
    ("uid", "unit", "missing"),
    [(None, "TEAM", "UID"), ("pass.x", None, "OU"), (None, None, "UID (pass type id) and OU")],
)
def test_certificate_without_uid_or_ou_is_not_a_pass_certificate(
    chain: DevChain, uid: str | None, unit: str | None, missing: str
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    certificate = _issue(chain, _pass_subject(uid, unit), key)
    with pytest.raises(SigningError, match="not a Pass Type ID certificate") as error:
        AppleSigner.from_pem(certificate, _pem_key(key), wwdr=chain.wwdr_pem)
    assert f"has no {missing}" in str(error.value)


def test_wwdr_of_another_chain(chain: DevChain, other_chain: DevChain) -> None:
    with pytest.raises(SigningError) as error:
        AppleSigner.from_pem(
            chain.pass_certificate_pem, chain.pass_key_pem, wwdr=other_chain.wwdr_pem
        )
    message = str(error.value)
    # same development names, different keys: caught by the signature check
    assert "does not verify with the WWDR certificate" in message
    assert "WWDR G4" in message
    assert "intermediate certificate that issued your pass certificate" in message


def test_wwdr_with_another_name(chain: DevChain, other_chain: DevChain) -> None:
    with pytest.raises(SigningError) as error:
        AppleSigner.from_pem(
            chain.pass_certificate_pem, chain.pass_key_pem, wwdr=other_chain.root_pem
        )
    message = str(error.value)
    assert "was issued by 'CN=passkit DEVELOPMENT WWDR" in message
    assert "not by the WWDR certificate 'CN=passkit DEVELOPMENT Root CA" in message
    assert "PASSKIT_WWDR" in message


def test_default_wwdr_is_apple_g4(chain: DevChain) -> None:
    with pytest.raises(SigningError) as error:
        AppleSigner.from_pem(chain.pass_certificate_pem, chain.pass_key_pem)
    message = str(error.value)
    assert "Apple Worldwide Developer Relations Certification Authority" in message
    assert "Apple WWDR G4, shipped with passkit" in message


def test_shipped_wwdr_is_apple_g4() -> None:
    pem = resources.files("passkit").joinpath("data/AppleWWDRCAG4.pem").read_bytes()
    certificate = x509.load_pem_x509_certificate(pem)
    fingerprint = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert fingerprint.upper() == (
        "EA:47:57:88:55:38:DD:8C:B5:9F:F4:55:6F:67:60:87:"
        "D8:3C:85:E7:09:02:C1:22:E4:2C:08:08:B5:BC:E1:4C"
    ).replace(":", "")
    assert certificate.serial_number == 0x13DC77955271E53DC632E8CCFFE521F3CCC5CED2
    assert certificate.not_valid_after_utc == datetime(2030, 12, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("key_factory", "words"),
    [
        (lambda: ec.generate_private_key(ec.SECP384R1()), "curve secp384r1"),
        (ed25519.Ed25519PrivateKey.generate, "Ed25519"),
    ],
)
def test_unsupported_key_types(chain: DevChain, key_factory: object, words: str) -> None:
    assert callable(key_factory)
    key = key_factory()
    certificate = _issue(chain, _pass_subject(), key)
    with pytest.raises(SigningError, match="use an RSA or EC P-256 key") as error:
        AppleSigner.from_pem(certificate, _pem_key(key), wwdr=chain.wwdr_pem)
    assert words in str(error.value)


# --- check(): dates and identifiers -------------------------------------------------------


def test_check_passes_inside_validity(chain: DevChain) -> None:
    signer = chain.signer()
    signer.check(now=START + timedelta(days=10))
    signer.check(
        now=START + timedelta(days=10),
        pass_type_id="pass.com.example.checks",
        team_id="TEAMCHECK",
    )


def test_check_certificate_not_yet_valid(chain: DevChain) -> None:
    with pytest.raises(SigningError) as error:
        chain.signer().check(now=START - timedelta(days=3))
    message = str(error.value)
    # The certificate's window, the time that lies outside it, and how to widen it: not the
    # clock alone, since a fixed time given to a build is as likely.
    assert "valid from 2030-01-01 11:00:00 UTC to 2031-01-01 11:00:00 UTC" in message
    assert "not at 2029-12-29 12:00:00 UTC" in message
    assert "--valid-from" in message and "passkit_dev_validity" in message


def test_check_certificate_expired(chain: DevChain) -> None:
    with pytest.raises(SigningError, match="expired on 2031-01-01 11:00:00 UTC") as error:
        chain.signer().check(now=START + timedelta(days=400))
    message = str(error.value)
    assert "the pass certificate 'Pass Type ID: pass.com.example.checks'" in message
    assert "renew" in message


def test_check_wwdr_expired() -> None:
    # a pass certificate outliving its intermediate: only the WWDR is out of date
    chain = make_dev_chain(
        valid_from=START - HOUR,
        valid_until=START - HOUR + timedelta(days=400),
        wwdr_valid_until=START - HOUR + timedelta(days=100),
    )
    with pytest.raises(
        SigningError, match=r"the WWDR certificate .* expired on 2030-04-11"
    ) as error:
        chain.signer().check(now=START + timedelta(days=200))
    assert "apple.com/certificateauthority" in str(error.value)


def test_check_wwdr_not_yet_valid(chain: DevChain) -> None:
    # a pass certificate dated before its intermediate: only the WWDR is not valid yet
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    early = _issue(chain, _pass_subject(), key, not_before=START - timedelta(days=30))
    signer = AppleSigner.from_pem(early, _pem_key(key), wwdr=chain.wwdr_pem)
    with pytest.raises(
        SigningError, match=r"the WWDR certificate .* is not valid before 2030-01-01"
    ):
        signer.check(now=START - timedelta(days=10))
    signer.check(now=START)


def test_check_pass_type_id_differs(chain: DevChain) -> None:
    with pytest.raises(SigningError) as error:
        chain.signer().check(now=START + timedelta(days=1), pass_type_id="pass.com.example.other")
    message = str(error.value)
    assert "'pass.com.example.other'" in message
    assert "'pass.com.example.checks'" in message
    assert "UID" in message


def test_check_team_id_differs(chain: DevChain) -> None:
    with pytest.raises(SigningError) as error:
        chain.signer().check(now=START + timedelta(days=1), team_id="OTHERTEAM")
    message = str(error.value)
    assert "'OTHERTEAM'" in message
    assert "'TEAMCHECK'" in message
    assert "OU" in message


def test_check_needs_aware_time(chain: DevChain) -> None:
    with pytest.raises(SigningError, match="timezone-aware"):
        chain.signer().check(now=datetime(2030, 2, 1))


def test_warnings_when_certificates_expire_soon() -> None:
    now = datetime.now(UTC)
    signer = make_dev_chain(
        valid_until=now + timedelta(days=12), wwdr_valid_until=now + timedelta(days=20)
    ).signer()
    assert len(signer.warnings) == 2
    pass_warning, wwdr_warning = signer.warnings
    assert pass_warning.startswith("the pass certificate expires on ")
    assert pass_warning.endswith(("(in 11 days)", "(in 10 days)"))
    assert wwdr_warning.startswith("the WWDR certificate expires on ")
    assert wwdr_warning.endswith(("(in 19 days)", "(in 18 days)"))


def test_no_warnings_for_fresh_certificates(dev_certs: DevCertificates) -> None:
    assert dev_certs.signer().warnings == ()
