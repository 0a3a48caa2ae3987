"""The small DER encoder behind signatures: X.690 examples, edge cases, and the fast framing."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from hypothesis import given
from hypothesis import strategies as st

from passkit.apple import cms
from passkit.devcerts import DevCertificates


@pytest.mark.parametrize(
    ("length", "encoded"),
    [
        (0, "00"),
        (127, "7f"),
        (128, "8180"),
        (255, "81ff"),
        (256, "820100"),
        (65535, "82ffff"),
        (65536, "83010000"),
    ],
)
def test_length_octets(length: int, encoded: str) -> None:
    assert cms.encode_length(length).hex() == encoded


@pytest.mark.parametrize(
    ("dotted", "encoded"),
    [
        ("1.2.840.113549", "06062a864886f70d"),  # the X.690 / PKCS example
        ("1.2.840.113549.1.7.2", "06092a864886f70d010702"),
        ("2.16.840.1.101.3.4.2.1", "0609608648016503040201"),
        ("0.9.2342.19200300.100.1.1", "060a0992268993f22c640101"),
        ("2.999.3", "0603883703"),
    ],
)
def test_object_identifiers(dotted: str, encoded: str) -> None:
    assert cms.object_identifier(dotted).hex() == encoded


@pytest.mark.parametrize("bad", ["1", "3.1", "1.40", "0.40.1"])
def test_invalid_object_identifiers(bad: str) -> None:
    with pytest.raises(ValueError, match="not an object identifier"):
        cms.object_identifier(bad)


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        (0, "020100"),
        (1, "020101"),
        (127, "02017f"),
        (128, "02020080"),
        (256, "02020100"),
        (-1, "0201ff"),
        (-128, "020180"),
        (-129, "0202ff7f"),
    ],
)
def test_integers(value: int, encoded: str) -> None:
    assert cms.integer(value).hex() == encoded


@given(st.integers(min_value=-(2**200), max_value=2**200))
def test_integers_are_minimal_and_round_trip(value: int) -> None:
    encoded = cms.integer(value)
    tag, start, end = cms.read_tlv(encoded, 0)
    assert (tag, end) == (cms.INTEGER, len(encoded))
    content = encoded[start:]
    assert int.from_bytes(content, "big", signed=True) == value
    if len(content) > 1:  # X.690 8.3.2: the first nine bits are never all equal
        assert not (content[0] == 0x00 and content[1] < 0x80)
        assert not (content[0] == 0xFF and content[1] >= 0x80)


@given(st.binary(max_size=70_000))
def test_read_tlv_reads_what_tlv_writes(content: bytes) -> None:
    encoded = cms.tlv(cms.OCTET_STRING, content)
    tag, start, end = cms.read_tlv(encoded, 0)
    assert (tag, encoded[start:end], end) == (cms.OCTET_STRING, content, len(encoded))


def test_read_tlv_rejects_truncation() -> None:
    with pytest.raises(ValueError, match="truncated"):
        cms.read_tlv(b"\x04\x05abc", 0)
    with pytest.raises(ValueError, match="truncated"):
        cms.read_tlv(b"\x04", 0)


def test_set_of_sorts_its_elements() -> None:
    assert cms.set_of(b"\x04\x01b", b"\x04\x01a", b"\x02\x01\x05").hex() == "3109020105040161040162"


@pytest.mark.parametrize(
    ("moment", "encoded"),
    [
        (datetime(2025, 3, 14, 15, 9, 26, 500_000, tzinfo=UTC), b"\x17\x0d250314150926Z"),
        (datetime(1950, 1, 1, tzinfo=UTC), b"\x17\x0d500101000000Z"),
        (datetime(2049, 12, 31, 23, 59, 59, tzinfo=UTC), b"\x17\x0d491231235959Z"),
        (datetime(2050, 1, 1, tzinfo=UTC), b"\x18\x0f20500101000000Z"),
        (datetime(1949, 12, 31, 23, 59, 59, tzinfo=UTC), b"\x18\x0f19491231235959Z"),
    ],
)
def test_times(moment: datetime, encoded: bytes) -> None:
    assert cms.encode_time(moment) == encoded


def test_issuer_and_serial_number_matches_the_certificate(dev_certs: DevCertificates) -> None:
    certificate = x509.load_pem_x509_certificate(dev_certs.pass_certificate.read_bytes())
    encoded = cms.issuer_and_serial_number(certificate.public_bytes(serialization.Encoding.DER))
    expected = cms.sequence(
        certificate.issuer.public_bytes(), cms.integer(certificate.serial_number)
    )
    assert encoded == expected


def test_issuer_and_serial_number_rejects_non_certificates() -> None:
    with pytest.raises(ValueError):
        cms.issuer_and_serial_number(cms.octet_string(b"nope"))


def _reference_signed_data(
    certificate: bytes, others: list[bytes], algorithm: bytes, attributes: bytes, signature: bytes
) -> bytes:
    """SignedData composed the slow, obvious way, element by element."""
    _, content_start, _ = cms.read_tlv(attributes, 0)
    signer_info = cms.sequence(
        cms.VERSION_1,
        cms.issuer_and_serial_number(certificate),
        cms.SHA256_ALGORITHM,
        cms.tlv(cms.CONTEXT_0, attributes[content_start:]),  # [0] IMPLICIT SET OF
        algorithm,
        cms.octet_string(signature),
    )
    signed_data = cms.sequence(
        cms.VERSION_1,
        cms.set_of(cms.SHA256_ALGORITHM),
        cms.sequence(cms.OID_DATA),
        cms.tlv(cms.CONTEXT_0, b"".join(sorted([certificate, *others]))),
        cms.set_of(signer_info),
    )
    return cms.sequence(cms.OID_SIGNED_DATA, cms.tlv(cms.CONTEXT_0, signed_data))


@pytest.mark.parametrize("algorithm", ["rsa", "ecdsa"])
@pytest.mark.parametrize("signature_length", [70, 71, 72, 256, 512])
@pytest.mark.parametrize(
    "moment", [datetime(2025, 1, 1, tzinfo=UTC), datetime(2077, 1, 1, tzinfo=UTC)]
)
def test_fast_framing_equals_the_obvious_encoding(
    dev_certs: DevCertificates,
    algorithm: cms.SignatureAlgorithm,
    signature_length: int,
    moment: datetime,
) -> None:
    certificate = x509.load_pem_x509_certificate(dev_certs.pass_certificate.read_bytes())
    wwdr = x509.load_pem_x509_certificate(dev_certs.wwdr.read_bytes())
    der = serialization.Encoding.DER
    encoder = cms.DetachedSignedData(
        signer_certificate=certificate.public_bytes(der),
        other_certificates=[wwdr.public_bytes(der)],
        signature_algorithm=algorithm,
    )
    digest = hashlib.sha256(b"manifest").digest()
    attributes = encoder.signed_attributes(digest, moment)
    assert attributes == cms.set_of(
        cms.sequence(cms.OID_CONTENT_TYPE, cms.set_of(cms.OID_DATA)),
        cms.sequence(cms.OID_SIGNING_TIME, cms.set_of(cms.encode_time(moment))),
        cms.sequence(cms.OID_MESSAGE_DIGEST, cms.set_of(cms.octet_string(digest))),
    )
    signature = bytes(range(256)) * 2
    for _ in range(2):  # the second time through, the cached frame is used
        encoded = encoder.encode(attributes, signature[:signature_length])
        assert encoded == _reference_signed_data(
            certificate.public_bytes(der),
            [wwdr.public_bytes(der)],
            cms.SIGNATURE_ALGORITHMS[algorithm],
            attributes,
            signature[:signature_length],
        )


def test_signed_attributes_need_a_sha256_digest(dev_certs: DevCertificates) -> None:
    certificate = x509.load_pem_x509_certificate(dev_certs.pass_certificate.read_bytes())
    encoder = cms.DetachedSignedData(
        signer_certificate=certificate.public_bytes(serialization.Encoding.DER),
        other_certificates=[],
        signature_algorithm="rsa",
    )
    with pytest.raises(ValueError, match="SHA-256"):
        encoder.signed_attributes(b"short", datetime(2025, 1, 1, tzinfo=UTC))
