"""Checking the detached CMS (PKCS#7) signature of a pass bundle, and its certificate chain.

The structure is read by `passkit.testing.cms_structure`; every cryptographic check (digests,
RSA and ECDSA signatures, certificate signatures) is done by `cryptography`. Nothing stops at
the first problem: the result lists all of them, so a failing test shows everything wrong at
once.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from passkit.testing import der
from passkit.testing.cms_structure import (
    OID_CONTENT_TYPE,
    OID_DATA,
    OID_MESSAGE_DIGEST,
    OID_SIGNING_TIME,
    SignerInfo,
    attributes,
    find_signer,
    parse_signed_data,
)

DIGESTS: dict[str, type[hashes.HashAlgorithm]] = {
    "1.3.14.3.2.26": hashes.SHA1,
    "2.16.840.1.101.3.4.2.4": hashes.SHA224,
    "2.16.840.1.101.3.4.2.1": hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
}
RSA_PKCS1 = "1.2.840.113549.1.1.1"
# Signature algorithm -> (key type, the digest it names or None for "the digestAlgorithm")
SIGNATURE_ALGORITHMS: dict[str, tuple[str, type[hashes.HashAlgorithm] | None]] = {
    RSA_PKCS1: ("rsa", None),
    "1.2.840.113549.1.1.5": ("rsa", hashes.SHA1),
    "1.2.840.113549.1.1.14": ("rsa", hashes.SHA224),
    "1.2.840.113549.1.1.11": ("rsa", hashes.SHA256),
    "1.2.840.113549.1.1.12": ("rsa", hashes.SHA384),
    "1.2.840.113549.1.1.13": ("rsa", hashes.SHA512),
    "1.2.840.10045.4.1": ("ec", hashes.SHA1),
    "1.2.840.10045.4.3.1": ("ec", hashes.SHA224),
    "1.2.840.10045.4.3.2": ("ec", hashes.SHA256),
    "1.2.840.10045.4.3.3": ("ec", hashes.SHA384),
    "1.2.840.10045.4.3.4": ("ec", hashes.SHA512),
}
# A signing time this far after "now" is a wrong clock, not a future signature.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class SignatureCheck:
    """What checking a signature found: problems (empty when valid), notes, and what it used."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signer: x509.Certificate | None = None
    chain: list[x509.Certificate] = field(default_factory=list)
    signing_time: datetime | None = None
    digest_name: str | None = None


def check_signature(
    signature: bytes,
    content: bytes,
    *,
    anchors: Sequence[x509.Certificate] | None,
    apple_wwdr: x509.Certificate | None = None,
    now: datetime | None = None,
) -> SignatureCheck:
    """Check a detached CMS signature over `content` and the chain of its signer.

    `anchors` are the trusted roots; when None, the chain is checked up to the intermediate
    the signature carries, which must then be `apple_wwdr` (Apple's WWDR certificate).
    """
    result = SignatureCheck()
    try:
        _check(signature, content, anchors, apple_wwdr, now, result)
    except (ValueError, UnsupportedAlgorithm) as exc:
        # A crafted certificate or attribute can parse yet fail when read (cryptography reads
        # extensions and names lazily): report it as what it is, a malformed signature.
        result.problems.append(f"signature: malformed, cannot be checked ({exc})")
    return result


def _check(
    signature: bytes,
    content: bytes,
    anchors: Sequence[x509.Certificate] | None,
    apple_wwdr: x509.Certificate | None,
    now: datetime | None,
    result: SignatureCheck,
) -> None:
    try:
        certificates, signer_infos, embedded = parse_signed_data(signature)
    except der.DerError as exc:
        result.problems.append(f"signature: not a CMS SignedData structure ({exc})")
        return
    if embedded is not None:
        result.problems.append(
            "signature: embeds its content; Apple Wallet expects a detached signature "
            "of manifest.json"
        )
    if len(signer_infos) != 1:
        result.problems.append(
            f"signature: has {len(signer_infos)} signers; a pass is signed by exactly one"
        )
        if not signer_infos:
            return
    info = signer_infos[0]
    signer = find_signer(info, certificates)
    if signer is None:
        result.problems.append(
            "signature: the signing certificate is not included in the signature; "
            "sign with the Pass Type ID certificate and include it"
        )
        return
    result.signer = signer
    _check_signer_info(info, content, signer, result)
    moment = result.signing_time or now or datetime.now(UTC)
    if result.signing_time and now and result.signing_time > now + CLOCK_SKEW:
        result.problems.append(
            f"signature: signing time {result.signing_time:%Y-%m-%d %H:%M:%S}Z is in the future"
        )
    _check_chain(signer, certificates, anchors, apple_wwdr, moment, result)


def _check_signer_info(
    info: SignerInfo, content: bytes, signer: x509.Certificate, result: SignatureCheck
) -> None:
    digest_type = DIGESTS.get(info.digest_oid)
    if digest_type is None:
        result.problems.append(f"signature: unknown digest algorithm {info.digest_oid}")
        return
    result.digest_name = digest_type().name
    signed_bytes = content
    if info.signed_attrs is None:
        result.problems.append(
            "signature: has no signed attributes, so no signing time; Apple expects them"
        )
    else:
        try:
            attrs = attributes(info.signed_attrs)
        except der.DerError as exc:
            result.problems.append(f"signature: malformed signed attributes ({exc})")
            return
        _check_attributes(attrs, content, digest_type, result)
        # The signature covers the attributes re-tagged from [0] IMPLICIT to a SET OF.
        signed_bytes = bytes([der.SET]) + info.signed_attrs.encoded[1:]
    algorithm = SIGNATURE_ALGORITHMS.get(info.signature_oid)
    if algorithm is None:
        result.problems.append(f"signature: unsupported signature algorithm {info.signature_oid}")
        return
    key_type, named_digest = algorithm
    hash_type = named_digest or digest_type
    key = signer.public_key()
    try:
        if key_type == "rsa" and isinstance(key, rsa.RSAPublicKey):
            key.verify(info.signature, signed_bytes, padding.PKCS1v15(), hash_type())
        elif key_type == "ec" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(info.signature, signed_bytes, ec.ECDSA(hash_type()))
        else:
            result.problems.append(
                f"signature: a {key_type.upper()} signature cannot come from the signing "
                "certificate's key type"
            )
    except InvalidSignature:
        result.problems.append(
            "signature: does not verify with the signing certificate's key "
            "(the signed data was changed, or another key signed it)"
        )
    except (UnsupportedAlgorithm, ValueError) as exc:
        result.problems.append(f"signature: cannot be checked ({exc})")


def _check_attributes(
    attrs: dict[str, list[der.Node]],
    content: bytes,
    digest_type: type[hashes.HashAlgorithm],
    result: SignatureCheck,
) -> None:
    content_type = attrs.get(OID_CONTENT_TYPE)
    if not content_type or content_type[0].oid() != OID_DATA:
        result.problems.append("signature: the content-type attribute is missing or not id-data")
    digest = attrs.get(OID_MESSAGE_DIGEST)
    if not digest:
        result.problems.append("signature: the message-digest attribute is missing")
    else:
        hasher = hashes.Hash(digest_type())
        hasher.update(content)
        if not hmac.compare_digest(digest[0].octets(), hasher.finalize()):
            result.problems.append(
                f"signature: the signed {digest_type().name.upper()} digest does not match "
                "manifest.json (the manifest was changed after signing)"
            )
    signing_time = attrs.get(OID_SIGNING_TIME)
    if not signing_time:
        result.problems.append("signature: the signing-time attribute is missing")
    else:
        result.signing_time = signing_time[0].time()


def _check_chain(
    signer: x509.Certificate,
    carried: list[x509.Certificate],
    anchors: Sequence[x509.Certificate] | None,
    apple_wwdr: x509.Certificate | None,
    moment: datetime,
    result: SignatureCheck,
) -> None:
    when = f"{moment:%Y-%m-%d %H:%M:%S}Z"
    _check_validity(signer, "the signing certificate", moment, when, result)
    intermediate = _issuer_among(signer, [c for c in carried if c != signer])
    if intermediate is None:
        result.problems.append(
            f"signature: the issuer of the signing certificate ({_name(signer.issuer)}) is not "
            "carried in the signature; include the WWDR intermediate certificate"
        )
        return
    result.chain = [signer, intermediate]
    _check_validity(intermediate, "the WWDR intermediate certificate", moment, when, result)
    if not _is_ca(intermediate):
        result.problems.append(
            f"signature: the intermediate certificate {_name(intermediate.subject)} is not a CA"
        )
    if anchors is None:
        if apple_wwdr is None or intermediate != apple_wwdr:
            result.problems.append(
                f"signature: the intermediate certificate ({_name(intermediate.subject)}) is not "
                "Apple's WWDR G4, so Apple Wallet will refuse the pass; to check a development "
                "chain, give its root certificate (--ca ROOT.pem)"
            )
        else:
            result.notes.append(
                "chain checked up to Apple's WWDR G4 intermediate; its root (Apple Root CA) is "
                "not shipped with passkit: give it with --ca to check the last link too"
            )
        return
    if any(intermediate == anchor for anchor in anchors):
        result.chain = [signer, intermediate]
        return
    root = _issuer_among(intermediate, list(anchors))
    if root is None:
        result.problems.append(_not_issued_by(intermediate, anchors))
        return
    result.chain.append(root)
    _check_validity(root, "the root certificate", moment, when, result)


def _not_issued_by(intermediate: x509.Certificate, anchors: Sequence[x509.Certificate]) -> str:
    """Why the given CAs did not issue the intermediate, telling apart CAs of the same name."""
    given = ", ".join(f"{_name(a.subject)}, SHA-256 {fingerprint(a)}" for a in anchors)
    problem = (
        f"signature: the intermediate certificate ({_name(intermediate.subject)}) is not "
        f"issued by the given CA ({given})"
    )
    if any(anchor.subject == intermediate.issuer for anchor in anchors):
        # Two development CAs made by separate runs share their name but not their key.
        problem += (
            "; a different CA of the same name signed it: give the root certificate made "
            "together with the signing certificate (compare fingerprints with `openssl x509 "
            "-noout -fingerprint -sha256 -in ROOT.pem`)"
        )
    return problem


def fingerprint(certificate: x509.Certificate) -> str:
    """The certificate's SHA-256 fingerprint as openssl prints it (AB:CD:...)."""
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


def _issuer_among(
    cert: x509.Certificate, candidates: list[x509.Certificate]
) -> x509.Certificate | None:
    for candidate in candidates:
        if candidate.subject != cert.issuer:
            continue
        try:
            cert.verify_directly_issued_by(candidate)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            continue
        return candidate
    return None


def _check_validity(
    cert: x509.Certificate, role: str, moment: datetime, when: str, result: SignatureCheck
) -> None:
    if not cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc:
        result.problems.append(
            f"signature: {role} ({_name(cert.subject)}) is valid from "
            f"{cert.not_valid_before_utc:%Y-%m-%d} to {cert.not_valid_after_utc:%Y-%m-%d}, "
            f"not at the signing time {when}"
        )


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def _name(name: x509.Name) -> str:
    common = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(common[0].value) if common else name.rfc4514_string()
