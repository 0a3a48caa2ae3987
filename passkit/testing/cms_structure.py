"""The parts of a detached CMS (PKCS#7) SignedData that checking a pass signature reads: the
certificates it carries, its signer infos, the signer's certificate and the signed attributes.

Read with `passkit.testing.der` from bytes that may have been crafted to mislead: anything that
is not the structure it should be ends in `der.DerError`. Nothing here checks a digest or a
signature (`cms_verify` does, with `cryptography`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from passkit.testing import der

OID_DATA = "1.2.840.113549.1.7.1"
OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_SIGNING_TIME = "1.2.840.113549.1.9.5"


@dataclass(frozen=True)
class SignerInfo:
    """One SignerInfo: how it names the signer's certificate (issuer and serial, or key id),
    its digest, signed attributes, signature algorithm and signature."""

    issuer_der: bytes | None
    serial: int | None
    key_id: bytes | None
    digest_oid: str
    signed_attrs: der.Node | None
    signature_oid: str
    signature: bytes


def parse_signed_data(
    data: bytes,
) -> tuple[list[x509.Certificate], list[SignerInfo], bytes | None]:
    """The carried certificates, the signer infos and the embedded content (None when the
    signature is detached, as a pass's must be)."""
    content_info = der.parse(data).expect(der.SEQUENCE)
    if content_info.child(0).oid() != OID_SIGNED_DATA:
        raise der.DerError("the content type is not signedData")
    signed_data = content_info.child(1, 0xA0).child(0, der.SEQUENCE)
    parts = signed_data.children()
    if len(parts) < 4:
        raise der.DerError("SignedData is incomplete")
    encap = parts[2].expect(der.SEQUENCE)
    encap_parts = encap.children()
    embedded = encap_parts[1].child(0).octets() if len(encap_parts) > 1 else None
    certificates: list[x509.Certificate] = []
    for part in parts[3:-1]:
        if part.tag == 0xA0:
            for cert_node in part.children():
                if cert_node.tag != der.SEQUENCE:
                    continue  # attribute certificates and other choices do not sign passes
                try:  # cryptography reads X.509 v1 and v3 only; v2 raises InvalidVersion
                    certificates.append(x509.load_der_x509_certificate(cert_node.encoded))
                except (ValueError, x509.InvalidVersion) as exc:
                    raise der.DerError(f"a carried certificate is malformed ({exc})") from None
    signer_infos = [_signer_info(node) for node in parts[-1].expect(der.SET).children()]
    return certificates, signer_infos, embedded


def _signer_info(node: der.Node) -> SignerInfo:
    parts = node.expect(der.SEQUENCE).children()
    if len(parts) < 5:
        raise der.DerError("SignerInfo is incomplete")
    sid = parts[1]
    issuer_der = serial = key_id = None
    if sid.tag == der.SEQUENCE:
        issuer_der = sid.child(0, der.SEQUENCE).encoded
        serial = sid.child(1).integer()
    elif sid.tag == 0x80:
        key_id = sid.content
    else:
        raise der.DerError("unknown signer identifier")
    digest_oid = parts[2].child(0).oid()
    index = 3
    signed_attrs = None
    if parts[index].tag == 0xA0:
        signed_attrs = parts[index]
        index += 1
    if index + 1 >= len(parts):
        raise der.DerError("SignerInfo lacks its signature")
    signature_oid = parts[index].child(0).oid()
    signature = parts[index + 1].octets()
    return SignerInfo(
        issuer_der, serial, key_id, digest_oid, signed_attrs, signature_oid, signature
    )


def find_signer(info: SignerInfo, certificates: list[x509.Certificate]) -> x509.Certificate | None:
    for cert in certificates:
        if info.key_id is not None:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            except x509.ExtensionNotFound:
                continue
            if ski.value.digest == info.key_id:
                return cert
        elif cert.serial_number == info.serial and _issuer_der(cert) == info.issuer_der:
            return cert
    return None


def _issuer_der(cert: x509.Certificate) -> bytes:
    """The issuer Name exactly as encoded in the certificate (not re-encoded)."""
    tbs = der.parse(cert.public_bytes(Encoding.DER)).child(0, der.SEQUENCE)
    parts = tbs.children()
    index = 1 if parts[0].tag == 0xA0 else 0  # skip the optional [0] version
    return parts[index + 2].encoded


def attributes(node: der.Node) -> dict[str, list[der.Node]]:
    """The signed attributes by OID, each with its values; an attribute given twice is an error."""
    attrs: dict[str, list[der.Node]] = {}
    for attr in node.children():
        oid = attr.child(0).oid()
        if oid in attrs:
            raise der.DerError(f"attribute {oid} appears twice")
        attrs[oid] = attr.child(1, der.SET).children()
    return attrs
