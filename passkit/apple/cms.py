"""Detached CMS SignedData (RFC 5652) in DER, encoded by hand.

Apple Wallet wants `signature` to be a detached SignedData over manifest.json carrying the pass
certificate and the WWDR intermediate, with contentType, signingTime and messageDigest signed
attributes. cryptography's PKCS7 builder stamps the current time and redoes per-signer work on
every call; here everything that depends only on the signer (certificates, issuer and serial,
algorithm identifiers) is encoded once, so one signature costs a digest, a few concatenations and
the private-key operation, and the same inputs always give the same bytes.

Only the handful of DER types these structures need are implemented.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

SignatureAlgorithm = Literal["rsa", "ecdsa"]

# Tags (X.690): universal types, and the context-specific constructed [0].
INTEGER = 0x02
OCTET_STRING = 0x04
OBJECT_IDENTIFIER = 0x06
UTC_TIME = 0x17
GENERALIZED_TIME = 0x18
SEQUENCE = 0x30
SET = 0x31
CONTEXT_0 = 0xA0


def encode_length(length: int) -> bytes:
    """DER length octets: short form below 128, long form with the fewest octets above."""
    if length < 0x80:
        return bytes((length,))
    body = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes((0x80 | len(body),)) + body


def header(tag: int, length: int) -> bytes:
    return bytes((tag,)) + encode_length(length)


def tlv(tag: int, content: bytes) -> bytes:
    return bytes((tag,)) + encode_length(len(content)) + content


def sequence(*items: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(items))


def set_of(*items: bytes) -> bytes:
    # DER orders the elements of a SET OF by their encodings (X.690 11.6).
    return tlv(SET, b"".join(sorted(items)))


def object_identifier(dotted: str) -> bytes:
    arcs = [int(arc) for arc in dotted.split(".")]
    if len(arcs) < 2 or arcs[0] > 2 or (arcs[0] < 2 and arcs[1] >= 40):
        raise ValueError(f"not an object identifier: {dotted!r}")
    body = bytearray()
    for arc in [arcs[0] * 40 + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(OBJECT_IDENTIFIER, bytes(body))


def integer(value: int) -> bytes:
    # Two's complement with the fewest octets; one extra bit keeps the sign of positive values.
    length = (value + (value < 0)).bit_length() // 8 + 1
    return tlv(INTEGER, value.to_bytes(length, "big", signed=True))


def octet_string(value: bytes) -> bytes:
    return tlv(OCTET_STRING, value)


NULL = b"\x05\x00"


def encode_time(moment: datetime) -> bytes:
    """RFC 5652 Time: UTCTime for the years 1950 to 2049, GeneralizedTime otherwise.

    DER requires UTC with a trailing Z and no fractional seconds, so microseconds are dropped.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("signing time must be timezone-aware (for example datetime.now(UTC))")
    moment = moment.astimezone(UTC)
    if 1950 <= moment.year <= 2049:
        return tlv(UTC_TIME, moment.strftime("%y%m%d%H%M%SZ").encode("ascii"))
    return tlv(GENERALIZED_TIME, f"{moment.year:04d}{moment:%m%d%H%M%S}Z".encode("ascii"))


def read_tlv(data: bytes, offset: int) -> tuple[int, int, int]:
    """Read one DER element at `offset`: (tag, start of its content, end of the element)."""
    try:
        tag = data[offset]
        first = data[offset + 1]
    except IndexError:
        raise ValueError(f"truncated DER at offset {offset}") from None
    if tag & 0x1F == 0x1F:
        raise ValueError(f"multi-octet DER tag at offset {offset} is not supported")
    start = offset + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 8:
            raise ValueError(f"unsupported DER length at offset {offset}")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise ValueError(f"truncated DER at offset {offset}")
    return tag, start, end


def issuer_and_serial_number(certificate_der: bytes) -> bytes:
    """IssuerAndSerialNumber of a certificate, copied byte for byte from its TBSCertificate.

    Copying rather than re-encoding keeps the issuer name exactly as the verifier will compare it.
    """
    tag, content, _ = read_tlv(certificate_der, 0)
    if tag != SEQUENCE:
        raise ValueError("not a DER certificate")
    tag, position, _ = read_tlv(certificate_der, content)  # TBSCertificate
    if tag != SEQUENCE:
        raise ValueError("not a DER certificate")
    tag, _, end = read_tlv(certificate_der, position)
    if tag == CONTEXT_0:  # explicit version
        position = end
        tag, _, end = read_tlv(certificate_der, position)
    if tag != INTEGER:
        raise ValueError("certificate serial number not found")
    serial = certificate_der[position:end]
    _, _, position = read_tlv(certificate_der, end)  # signature AlgorithmIdentifier
    tag, _, end = read_tlv(certificate_der, position)
    if tag != SEQUENCE:
        raise ValueError("certificate issuer not found")
    return sequence(certificate_der[position:end], serial)


OID_DATA = object_identifier("1.2.840.113549.1.7.1")
OID_SIGNED_DATA = object_identifier("1.2.840.113549.1.7.2")
OID_CONTENT_TYPE = object_identifier("1.2.840.113549.1.9.3")
OID_MESSAGE_DIGEST = object_identifier("1.2.840.113549.1.9.4")
OID_SIGNING_TIME = object_identifier("1.2.840.113549.1.9.5")
OID_SHA256 = object_identifier("2.16.840.1.101.3.4.2.1")
OID_RSA_ENCRYPTION = object_identifier("1.2.840.113549.1.1.1")
OID_ECDSA_WITH_SHA256 = object_identifier("1.2.840.10045.4.3.2")

# RFC 5754: SHA-2 identifiers omit parameters; rsaEncryption carries NULL; ECDSA carries none.
SHA256_ALGORITHM = sequence(OID_SHA256)
SIGNATURE_ALGORITHMS: dict[SignatureAlgorithm, bytes] = {
    "rsa": sequence(OID_RSA_ENCRYPTION, NULL),
    "ecdsa": sequence(OID_ECDSA_WITH_SHA256),
}
VERSION_1 = integer(1)
CONTENT_TYPE_ATTRIBUTE = sequence(OID_CONTENT_TYPE, set_of(OID_DATA))
SHA256_SIZE = 32
# The messageDigest attribute up to the digest itself, which always comes last.
MESSAGE_DIGEST_ATTRIBUTE_PREFIX = sequence(
    OID_MESSAGE_DIGEST, set_of(octet_string(bytes(SHA256_SIZE)))
)[:-SHA256_SIZE]
IMPLICIT_0 = bytes((CONTEXT_0,))


class DetachedSignedData:
    """Encodes detached SignedData for one signer; all that is constant is encoded here, once.

    Use `signed_attributes` to get the bytes the private key must sign, then `encode` with the
    signature to get the DER ContentInfo. Both only concatenate precomputed pieces: signing
    thousands of passes a second leaves no room for re-encoding certificates each time.
    """

    def __init__(
        self,
        *,
        signer_certificate: bytes,
        other_certificates: Sequence[bytes],
        signature_algorithm: SignatureAlgorithm,
    ) -> None:
        self._signer_prefix = (
            VERSION_1 + issuer_and_serial_number(signer_certificate) + SHA256_ALGORITHM
        )
        self._signature_algorithm = SIGNATURE_ALGORITHMS[signature_algorithm]
        # [0] IMPLICIT SET OF: DER sorts the certificates like any SET OF.
        certificates = tlv(CONTEXT_0, b"".join(sorted([signer_certificate, *other_certificates])))
        self._signed_data_prefix = (
            VERSION_1 + set_of(SHA256_ALGORITHM) + sequence(OID_DATA) + certificates
        )
        # A batch signs many manifests at one clock reading: encode that time once.
        self._last_time: tuple[datetime, bytes] | None = None
        self._frames: dict[tuple[int, int], tuple[bytes, bytes]] = {}

    def _signing_time_attribute(self, signing_time: datetime) -> bytes:
        # The attribute holds whole seconds: times within one second share its encoding.
        second = signing_time.replace(microsecond=0)
        last = self._last_time
        if last is not None and last[0] == second:
            return last[1]
        attribute = sequence(OID_SIGNING_TIME, set_of(encode_time(second)))
        self._last_time = (second, attribute)
        return attribute

    def signed_attributes(self, content_digest: bytes, signing_time: datetime) -> bytes:
        """The DER SET OF signed attributes: exactly the bytes the signature covers.

        Equal to set_of(contentType, signingTime, messageDigest): DER sorts a SET OF by
        encoding, and with a SHA-256 digest the three attributes' lengths (24, 28 or 30, and 47
        content octets) already put them in this order, so no sorting is needed.
        """
        if len(content_digest) != SHA256_SIZE:
            raise ValueError(f"expected a SHA-256 digest of {SHA256_SIZE} bytes")
        content = b"".join(
            (
                CONTENT_TYPE_ATTRIBUTE,
                self._signing_time_attribute(signing_time),
                MESSAGE_DIGEST_ATTRIBUTE_PREFIX,
                content_digest,
            )
        )
        return header(SET, len(content)) + content

    def encode(self, signed_attributes: bytes, signature: bytes) -> bytes:
        """DER ContentInfo holding the SignedData, given what `signed_attributes` returned."""
        lengths = (len(signed_attributes), len(signature))
        frame = self._frames.get(lengths)
        if frame is None:
            frame = self._frames[lengths] = self._frame(*lengths)
        before_attributes, before_signature = frame
        # In SignerInfo the attributes are [0] IMPLICIT: the frame ends with that tag, which
        # takes the place of the SET tag the signature covered.
        return b"".join(
            (before_attributes, memoryview(signed_attributes)[1:], before_signature, signature)
        )

    def _frame(self, attributes_length: int, signature_length: int) -> tuple[bytes, bytes]:
        """Everything around the signed attributes and the signature, given their lengths.

        RSA signatures have one length and ECDSA ones three, and the attributes two (UTCTime or
        GeneralizedTime), so a signer needs only a few frames.
        """
        signature_header = header(OCTET_STRING, signature_length)
        signer_info_length = (
            len(self._signer_prefix)
            + attributes_length
            + len(self._signature_algorithm)
            + len(signature_header)
            + signature_length
        )
        signer_info_header = header(SEQUENCE, signer_info_length)
        signer_infos_length = len(signer_info_header) + signer_info_length
        signer_infos_header = header(SET, signer_infos_length)
        signed_data_length = (
            len(self._signed_data_prefix) + len(signer_infos_header) + signer_infos_length
        )
        signed_data_header = header(SEQUENCE, signed_data_length)
        explicit_length = len(signed_data_header) + signed_data_length
        explicit_header = header(CONTEXT_0, explicit_length)
        content_info_length = len(OID_SIGNED_DATA) + len(explicit_header) + explicit_length
        before_attributes = b"".join(
            (
                header(SEQUENCE, content_info_length),
                OID_SIGNED_DATA,
                explicit_header,
                signed_data_header,
                self._signed_data_prefix,
                signer_infos_header,
                signer_info_header,
                self._signer_prefix,
                IMPLICIT_0,
            )
        )
        return before_attributes, self._signature_algorithm + signature_header
