"""Building an AppleSigner from PEM, DER, encrypted keys, PKCS#12 and the environment."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates
from passkit.errors import SigningError
from tests.support.signing import cms_verify, encrypted_pass_key, openssl

MANIFEST = b'{"pass.json":"da39a3ee5e6b4b0d3255bfef95601890afd80709"}'
SIGNING_TIME = datetime(2025, 5, 6, 7, 8, 9, tzinfo=UTC)


def _assert_signs_verifiably(signer: AppleSigner, certs: DevCertificates, work: Path) -> None:
    assert signer.pass_type_id == certs.pass_type_id
    assert signer.team_id == certs.team_id
    signature = signer.sign(MANIFEST, signing_time=SIGNING_TIME)
    result = cms_verify(signature, MANIFEST, certs.root, work)
    assert result.returncode == 0, result.stderr


def _key(certs: DevCertificates) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(certs.pass_key.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def test_from_pem_paths(dev_certs: DevCertificates, tmp_path: Path) -> None:
    signer = AppleSigner.from_pem(
        dev_certs.pass_certificate, dev_certs.pass_key, wwdr=dev_certs.wwdr
    )
    _assert_signs_verifiably(signer, dev_certs, tmp_path)
    assert signer.warnings == ()


def test_from_pem_str_paths_bytes_and_pem_text(dev_certs: DevCertificates, tmp_path: Path) -> None:
    signer = AppleSigner.from_pem(
        str(dev_certs.pass_certificate),
        dev_certs.pass_key.read_bytes(),
        wwdr=dev_certs.wwdr.read_text(),
    )
    _assert_signs_verifiably(signer, dev_certs, tmp_path)


def test_from_der_certificate_key_and_wwdr(dev_certs: DevCertificates, tmp_path: Path) -> None:
    der = serialization.Encoding.DER
    certificate = x509.load_pem_x509_certificate(dev_certs.pass_certificate.read_bytes())
    wwdr = x509.load_pem_x509_certificate(dev_certs.wwdr.read_bytes())
    key_der = _key(dev_certs).private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "cert.der").write_bytes(certificate.public_bytes(der))
    signer = AppleSigner.from_pem(tmp_path / "cert.der", key_der, wwdr=wwdr.public_bytes(der))
    _assert_signs_verifiably(signer, dev_certs, tmp_path)


def test_certificate_file_with_chain_supplies_the_wwdr(
    dev_certs: DevCertificates, tmp_path: Path
) -> None:
    bundle = tmp_path / "chain.pem"
    bundle.write_bytes(dev_certs.wwdr.read_bytes() + dev_certs.pass_certificate.read_bytes())
    signer = AppleSigner.from_pem(bundle, dev_certs.pass_key)
    assert signer.wwdr.subject == signer.certificate.issuer
    _assert_signs_verifiably(signer, dev_certs, tmp_path)


def test_one_file_with_certificate_and_key(dev_certs: DevCertificates, tmp_path: Path) -> None:
    combined = tmp_path / "combined.pem"
    combined.write_bytes(dev_certs.pass_certificate.read_bytes() + dev_certs.pass_key.read_bytes())
    signer = AppleSigner.from_pem(combined, combined, wwdr=dev_certs.wwdr)
    _assert_signs_verifiably(signer, dev_certs, tmp_path)


def test_encrypted_pkcs8_key_with_password(dev_certs: DevCertificates, tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(encrypted_pass_key(dev_certs, b"s3cret"))
    assert b"ENCRYPTED PRIVATE KEY" in key.read_bytes()
    signer = AppleSigner.from_pem(
        dev_certs.pass_certificate, key, key_password="s3cret", wwdr=dev_certs.wwdr
    )
    _assert_signs_verifiably(signer, dev_certs, tmp_path)


def test_encrypted_traditional_openssl_key(dev_certs: DevCertificates, tmp_path: Path) -> None:
    pem = _key(dev_certs).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.BestAvailableEncryption(b"s3cret"),
    )
    assert b"Proc-Type: 4,ENCRYPTED" in pem
    signer = AppleSigner.from_pem(
        dev_certs.pass_certificate, pem, key_password=b"s3cret", wwdr=dev_certs.wwdr
    )
    _assert_signs_verifiably(signer, dev_certs, tmp_path)


def test_encrypted_key_without_password(dev_certs: DevCertificates, tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(encrypted_pass_key(dev_certs, b"s3cret"))
    with pytest.raises(SigningError) as error:
        AppleSigner.from_pem(dev_certs.pass_certificate, key, wwdr=dev_certs.wwdr)
    message = str(error.value)
    assert str(key) in message
    assert "encrypted" in message
    assert "PASSKIT_APPLE_KEY_PASSWORD" in message


def test_encrypted_key_with_wrong_password(dev_certs: DevCertificates, tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(encrypted_pass_key(dev_certs, b"s3cret"))
    with pytest.raises(SigningError, match="wrong password") as error:
        AppleSigner.from_pem(
            dev_certs.pass_certificate, key, key_password="guess", wwdr=dev_certs.wwdr
        )
    assert str(key) in str(error.value)


def test_password_for_unencrypted_key_is_harmless(
    dev_certs: DevCertificates, tmp_path: Path
) -> None:
    signer = AppleSigner.from_pem(
        dev_certs.pass_certificate, dev_certs.pass_key, key_password="unused", wwdr=dev_certs.wwdr
    )
    _assert_signs_verifiably(signer, dev_certs, tmp_path)


def test_from_pkcs12(dev_certs: DevCertificates, tmp_path: Path) -> None:
    # the dev .p12 carries the intermediate: no wwdr argument needed
    signer = AppleSigner.from_pkcs12(dev_certs.pass_p12, password=dev_certs.p12_password)
    _assert_signs_verifiably(signer, dev_certs, tmp_path)
    as_bytes = AppleSigner.from_pkcs12(
        dev_certs.pass_p12.read_bytes(), password=dev_certs.p12_password.encode()
    )
    assert as_bytes.sign(MANIFEST, signing_time=SIGNING_TIME) == signer.sign(
        MANIFEST, signing_time=SIGNING_TIME
    )


def test_pkcs12_made_by_openssl_with_legacy_encryption(
    dev_certs: DevCertificates, tmp_path: Path
) -> None:
    # RC2/3DES, as older Keychain Access exports are
    legacy = tmp_path / "legacy.p12"
    result = openssl(
        "pkcs12", "-export", "-legacy", "-in", dev_certs.pass_certificate,
        "-inkey", dev_certs.pass_key, "-certfile", dev_certs.wwdr,
        "-out", legacy, "-passout", "pass:keychain",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    signer = AppleSigner.from_pkcs12(legacy, password="keychain")
    _assert_signs_verifiably(signer, dev_certs, tmp_path)


def _p12_without_intermediate(certs: DevCertificates) -> bytes:
    return pkcs12.serialize_key_and_certificates(
        name=b"pass",
        key=_key(certs),
        cert=x509.load_pem_x509_certificate(certs.pass_certificate.read_bytes()),
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(b"pw"),
    )


def test_pkcs12_without_intermediate_uses_given_wwdr(
    dev_certs: DevCertificates, tmp_path: Path
) -> None:
    data = _p12_without_intermediate(dev_certs)
    signer = AppleSigner.from_pkcs12(data, password="pw", wwdr=dev_certs.wwdr)
    _assert_signs_verifiably(signer, dev_certs, tmp_path)


def test_pkcs12_without_intermediate_defaults_to_apple_wwdr_g4(
    dev_certs: DevCertificates,
) -> None:
    with pytest.raises(SigningError) as error:
        AppleSigner.from_pkcs12(_p12_without_intermediate(dev_certs), password="pw")
    message = str(error.value)
    assert "Apple Worldwide Developer Relations" in message
    assert "WWDR G4" in message
    assert "PASSKIT_WWDR" in message


def test_pkcs12_wrong_password(dev_certs: DevCertificates) -> None:
    with pytest.raises(SigningError, match="wrong password") as error:
        AppleSigner.from_pkcs12(dev_certs.pass_p12, password="not-it")
    assert str(dev_certs.pass_p12) in str(error.value)


def test_pkcs12_missing_password(dev_certs: DevCertificates) -> None:
    with pytest.raises(SigningError, match="give its password") as error:
        AppleSigner.from_pkcs12(dev_certs.pass_p12)
    assert "PASSKIT_APPLE_P12_PASSWORD" in str(error.value)


def test_pkcs12_given_as_pem_text_is_refused(dev_certs: DevCertificates) -> None:
    with pytest.raises(SigningError, match="binary"):
        AppleSigner.from_pkcs12(dev_certs.pass_certificate.read_text())


def test_pkcs12_without_key(dev_certs: DevCertificates) -> None:
    certificate = x509.load_pem_x509_certificate(dev_certs.pass_certificate.read_bytes())
    data = pkcs12.serialize_key_and_certificates(
        name=None,
        key=None,
        cert=certificate,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(b"pw"),
    )
    with pytest.raises(SigningError, match="holds no private key"):
        AppleSigner.from_pkcs12(data, password="pw")


def test_from_env_paths(dev_certs: DevCertificates, tmp_path: Path) -> None:
    environ = {
        "PASSKIT_APPLE_CERT": str(dev_certs.pass_certificate),
        "PASSKIT_APPLE_KEY": str(dev_certs.pass_key),
        "PASSKIT_WWDR": str(dev_certs.wwdr),
    }
    _assert_signs_verifiably(AppleSigner.from_env(environ), dev_certs, tmp_path)


def test_from_env_inline_pem_and_encrypted_key(dev_certs: DevCertificates, tmp_path: Path) -> None:
    environ = {
        "PASSKIT_APPLE_CERT": dev_certs.pass_certificate.read_text(),
        "PASSKIT_APPLE_KEY": encrypted_pass_key(dev_certs, b"pw").decode(),
        "PASSKIT_APPLE_KEY_PASSWORD": "pw",
        "PASSKIT_WWDR": dev_certs.wwdr.read_text(),
    }
    _assert_signs_verifiably(AppleSigner.from_env(environ), dev_certs, tmp_path)


def test_from_env_pem_on_one_line_with_escaped_newlines(
    dev_certs: DevCertificates, tmp_path: Path
) -> None:
    def one_line(path: Path) -> str:
        return path.read_text().replace("\n", "\\n")

    environ = {
        "PASSKIT_APPLE_CERT": one_line(dev_certs.pass_certificate),
        "PASSKIT_APPLE_KEY": one_line(dev_certs.pass_key),
        "PASSKIT_WWDR": one_line(dev_certs.wwdr),
    }
    assert "\n" not in environ["PASSKIT_APPLE_KEY"]
    _assert_signs_verifiably(AppleSigner.from_env(environ), dev_certs, tmp_path)


def test_from_env_pkcs12(dev_certs: DevCertificates, tmp_path: Path) -> None:
    environ = {
        "PASSKIT_APPLE_P12": str(dev_certs.pass_p12),
        "PASSKIT_APPLE_P12_PASSWORD": dev_certs.p12_password,
    }
    _assert_signs_verifiably(AppleSigner.from_env(environ), dev_certs, tmp_path)


def test_from_process_environment(
    dev_certs: DevCertificates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PASSKIT_APPLE_P12", "PASSKIT_APPLE_KEY_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PASSKIT_APPLE_CERT", str(dev_certs.pass_certificate))
    monkeypatch.setenv("PASSKIT_APPLE_KEY", str(dev_certs.pass_key))
    monkeypatch.setenv("PASSKIT_WWDR", str(dev_certs.wwdr))
    _assert_signs_verifiably(AppleSigner.from_env(), dev_certs, tmp_path)


def test_from_env_not_configured_lists_variables() -> None:
    with pytest.raises(SigningError) as error:
        AppleSigner.from_env({"PASSKIT_APPLE_CERT": ""})
    message = str(error.value)
    for name in (
        "PASSKIT_APPLE_CERT",
        "PASSKIT_APPLE_KEY",
        "PASSKIT_APPLE_KEY_PASSWORD",
        "PASSKIT_APPLE_P12",
        "PASSKIT_APPLE_P12_PASSWORD",
        "PASSKIT_WWDR",
    ):
        assert name in message
    assert "passkit certs dev" in message


def test_from_env_certificate_without_key(dev_certs: DevCertificates) -> None:
    with pytest.raises(SigningError, match="PASSKIT_APPLE_KEY is not"):
        AppleSigner.from_env({"PASSKIT_APPLE_CERT": str(dev_certs.pass_certificate)})


def test_from_env_both_ways_is_ambiguous(dev_certs: DevCertificates) -> None:
    with pytest.raises(SigningError, match="set only one"):
        AppleSigner.from_env(
            {
                "PASSKIT_APPLE_P12": str(dev_certs.pass_p12),
                "PASSKIT_APPLE_CERT": str(dev_certs.pass_certificate),
                "PASSKIT_APPLE_KEY": str(dev_certs.pass_key),
            }
        )
