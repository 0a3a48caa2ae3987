"""The detached CMS signature: verified by openssl, its contents decoded by a second reader."""

from __future__ import annotations

import hashlib
import re
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates, DevChain, make_dev_chain
from passkit.errors import SigningError
from tests.support.signing import cms_print, cms_verify, openssl

MANIFEST = b'{"icon.png":"0123456789abcdef0123456789abcdef01234567","pass.json":"aa"}'
SIGNING_TIME = datetime(2025, 3, 14, 15, 9, 26, tzinfo=UTC)


@pytest.fixture(scope="module")
def ec_chain() -> DevChain:
    return make_dev_chain(key_type="ec", pass_type_id="pass.dev.passkit.ec", team_id="ECTEAM")


def _signed_time(dump: str) -> str:
    match = re.search(r"signingTime.*?\n\s*set:\s*\n\s*(UTCTIME|GENERALIZEDTIME):(.+)", dump)
    assert match, dump
    return f"{match.group(1)}:{match.group(2).strip()}"


def test_openssl_cms_verifies_signature(
    dev_signer: AppleSigner, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    signature = dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME)
    result = cms_verify(signature, MANIFEST, dev_certs.root, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr
    assert (tmp_path / "verified-content").read_bytes() == MANIFEST


def test_openssl_smime_verifies_signature(
    dev_signer: AppleSigner, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    signature = dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME)
    result = cms_verify(signature, MANIFEST, dev_certs.root, tmp_path, command="smime")
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


@pytest.mark.parametrize(
    "tampered",
    [
        MANIFEST.replace(b"aa", b"ab"),
        MANIFEST + b"\n",
        b"",
    ],
)
def test_tampered_manifest_fails_verification(
    dev_signer: AppleSigner, dev_certs: DevCertificates, tmp_path: Path, tampered: bytes
) -> None:
    signature = dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME)
    result = cms_verify(signature, tampered, dev_certs.root, tmp_path)
    assert result.returncode != 0
    assert "Verification failure" in result.stderr or "digest failure" in result.stderr.lower()


def test_tampered_signature_fails_verification(
    dev_signer: AppleSigner, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    signature = bytearray(dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME))
    signature[-5] ^= 0x01  # inside the RSA signature value, the last element
    result = cms_verify(bytes(signature), MANIFEST, dev_certs.root, tmp_path)
    assert result.returncode != 0


def test_signature_from_another_root_is_not_trusted(
    dev_signer: AppleSigner, tmp_path: Path
) -> None:
    other = make_dev_chain()
    (tmp_path / "other-root.pem").write_bytes(other.root_pem)
    signature = dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME)
    result = cms_verify(signature, MANIFEST, tmp_path / "other-root.pem", tmp_path / "v")
    assert result.returncode != 0
    assert "certificate" in result.stderr.lower()


def test_signature_carries_pass_certificate_and_wwdr(dev_signer: AppleSigner) -> None:
    signature = dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME)
    with warnings.catch_warnings():
        # cryptography warns, then falls back to BER, when the DER is not canonical
        warnings.simplefilter("error")
        carried = pkcs7.load_der_pkcs7_certificates(signature)
    assert sorted(carried, key=lambda c: c == dev_signer.wwdr) == [
        dev_signer.certificate,
        dev_signer.wwdr,
    ]


def test_signed_attributes_digest_and_time(dev_signer: AppleSigner, tmp_path: Path) -> None:
    dump = cms_print(dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME), tmp_path)
    assert _signed_time(dump) == "UTCTIME:Mar 14 15:09:26 2025 GMT"
    assert "contentType (1.2.840.113549.1.9.3)" in dump
    assert "messageDigest (1.2.840.113549.1.9.4)" in dump
    digest_hex = hashlib.sha256(MANIFEST).hexdigest()
    dumped_bytes = "".join(re.findall(r"- ((?:[0-9a-f]{2}[ -])+)", dump)).replace("-", " ")
    assert " ".join(digest_hex[i : i + 2] for i in range(0, 64, 2)) in " ".join(
        dumped_bytes.split()
    )
    # digestAlgorithms and the signer's digestAlgorithm: SHA-256 only
    algorithms = re.findall(r"algorithm: (\S+) \(([\d.]+)\)", dump)
    digests = [name for name, oid in algorithms if oid.startswith("2.16.840.1.101.3.4.2")]
    assert digests == ["sha256", "sha256"]
    assert "eContent: <ABSENT>" in dump  # detached


def test_signing_time_in_other_zone_is_converted_to_utc(
    dev_signer: AppleSigner, tmp_path: Path
) -> None:
    paris = timezone(timedelta(hours=2))
    moment = datetime(2025, 6, 1, 0, 30, 0, 999_999, tzinfo=paris)
    dump = cms_print(dev_signer.sign(MANIFEST, signing_time=moment), tmp_path)
    assert _signed_time(dump) == "UTCTIME:May 31 22:30:00 2025 GMT"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC), "UTCTIME:Dec 31 23:59:59 2049 GMT"),
        (datetime(2050, 1, 1, 0, 0, 0, tzinfo=UTC), "GENERALIZEDTIME:Jan  1 00:00:00 2050 GMT"),
        (datetime(1950, 1, 1, 0, 0, 0, tzinfo=UTC), "UTCTIME:Jan  1 00:00:00 1950 GMT"),
        (datetime(1949, 12, 31, 12, 0, 0, tzinfo=UTC), "GENERALIZEDTIME:Dec 31 12:00:00 1949 GMT"),
    ],
)
def test_signing_time_encoding_around_utctime_limits(
    dev_signer: AppleSigner,
    dev_certs: DevCertificates,
    tmp_path: Path,
    moment: datetime,
    expected: str,
) -> None:
    signature = dev_signer.sign(MANIFEST, signing_time=moment)
    assert _signed_time(cms_print(signature, tmp_path)) == expected
    assert cms_verify(signature, MANIFEST, dev_certs.root, tmp_path).returncode == 0


def test_naive_signing_time_is_refused(dev_signer: AppleSigner) -> None:
    with pytest.raises(SigningError, match="timezone-aware"):
        dev_signer.sign(MANIFEST, signing_time=datetime(2025, 1, 1))


def test_same_inputs_give_same_bytes(dev_certs: DevCertificates) -> None:
    first = dev_certs.signer().sign(MANIFEST, signing_time=SIGNING_TIME)
    again = dev_certs.signer().sign(MANIFEST, signing_time=SIGNING_TIME)
    assert first == again


def test_different_manifests_or_times_give_different_signatures(
    dev_signer: AppleSigner,
) -> None:
    base = dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME)
    other_manifest = dev_signer.sign(MANIFEST + b" ", signing_time=SIGNING_TIME)
    other_time = dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME + timedelta(seconds=1))
    assert len({base, other_manifest, other_time}) == 3


def test_times_within_one_second_sign_alike_in_any_zone(dev_signer: AppleSigner) -> None:
    # The signing time is encoded in whole seconds: the signer reuses one encoding for a
    # second, and must not reuse it for the next one (nor confuse zones).
    base = SIGNING_TIME.replace(microsecond=0)
    later_in_second = dev_signer.sign(MANIFEST, signing_time=base + timedelta(microseconds=999))
    same_instant_elsewhere = dev_signer.sign(
        MANIFEST, signing_time=base.astimezone(timezone(timedelta(hours=-5)))
    )
    assert dev_signer.sign(MANIFEST, signing_time=base) == later_in_second
    assert same_instant_elsewhere == later_in_second
    next_second = dev_signer.sign(MANIFEST, signing_time=base + timedelta(seconds=1))
    assert next_second != later_in_second
    assert dev_signer.sign(MANIFEST, signing_time=base) == later_in_second


def test_ec_p256_pass_certificate_signs_verifiably(ec_chain: DevChain, tmp_path: Path) -> None:
    signer = ec_chain.signer()
    assert signer.pass_type_id == "pass.dev.passkit.ec"
    assert signer.team_id == "ECTEAM"
    (tmp_path / "root.pem").write_bytes(ec_chain.root_pem)
    signature = signer.sign(MANIFEST, signing_time=SIGNING_TIME)
    result = cms_verify(signature, MANIFEST, tmp_path / "root.pem", tmp_path / "ok")
    assert result.returncode == 0, result.stderr
    assert "ecdsa-with-SHA256" in cms_print(signature, tmp_path)
    # deterministic (RFC 6979) nonces: EC signatures repeat too
    assert signer.sign(MANIFEST, signing_time=SIGNING_TIME) == signature
    tampered = cms_verify(signature, MANIFEST + b"x", tmp_path / "root.pem", tmp_path / "bad")
    assert tampered.returncode != 0


def test_der_is_canonical_for_openssl(dev_signer: AppleSigner, tmp_path: Path) -> None:
    # openssl re-encodes what it parsed: identical bytes mean our lengths, SET orders and
    # tags are the canonical DER.
    signature = dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME)
    (tmp_path / "in.der").write_bytes(signature)
    result = openssl(
        "cms", "-cmsout", "-inform", "DER", "-outform", "DER", "-in", tmp_path / "in.der",
        "-out", tmp_path / "out.der",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.der").read_bytes() == signature


def test_carried_certificates_parse_as_x509(dev_signer: AppleSigner) -> None:
    signature = dev_signer.sign(MANIFEST, signing_time=SIGNING_TIME)
    carried = pkcs7.load_der_pkcs7_certificates(signature)
    [leaf] = [c for c in carried if c.subject.get_attributes_for_oid(x509.NameOID.USER_ID)]
    [intermediate] = [c for c in carried if c != leaf]
    uid = leaf.subject.get_attributes_for_oid(x509.NameOID.USER_ID)[0].value
    assert uid == dev_signer.pass_type_id
    assert intermediate.subject == leaf.issuer
