"""Bundle.verify: manifest hashes, the CMS signature and its chain, identity and pass.json rules.

Good bundles are checked against openssl too, and signatures made by three different encoders
(passkit's signer, cryptography's PKCS7 builder, the openssl command line) all verify.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from hypothesis import given, settings
from hypothesis import strategies as st

from passkit.apple.cms import DetachedSignedData
from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates, DevChain, make_dev_chain
from passkit.errors import BundleError, PasskitError, SigningError
from passkit.testing import VerificationError, open_pkpass
from passkit.testing.cms_verify import check_signature
from passkit.testing.pkpass import apple_wwdr
from tests.support.signing import as_x509_v2
from tests.support.testing import (
    SIGNING_TIME,
    default_files,
    manifest_for,
    pass_json,
    png,
    rezip,
    signed_bundle,
    zip_bytes,
)

DER = serialization.Encoding.DER


@pytest.fixture(scope="module")
def good(dev_signer: AppleSigner) -> bytes:
    return signed_bundle(dev_signer)


@pytest.fixture(scope="module")
def root(dev_certs: DevCertificates) -> Path:
    return dev_certs.root


@pytest.fixture(scope="module")
def other_chain() -> DevChain:
    """A second development chain with the same pass type id and team, but other keys."""
    return make_dev_chain()


def openssl_verify(data: bytes, root: Path, work: Path) -> subprocess.CompletedProcess[str]:
    bundle = open_pkpass(data)
    work.mkdir(parents=True, exist_ok=True)
    (work / "manifest.json").write_bytes(bundle.read("manifest.json"))
    (work / "signature").write_bytes(bundle.read("signature"))
    return subprocess.run(
        [
            *("openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "signature"),
            *("-content", "manifest.json", "-CAfile", str(root), "-purpose", "any", "-out", "out"),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def only(problems: list[str], fragment: str) -> None:
    assert any(fragment in p for p in problems), f"{fragment!r} not among {problems}"


def test_a_good_bundle_verifies_here_and_with_openssl(
    good: bytes, root: Path, tmp_path: Path
) -> None:
    bundle = open_pkpass(good)
    assert bundle.verify(root) == []
    bundle.assert_valid(root)
    report = bundle.check(root)
    assert report.valid and report.signature is not None
    assert report.signature.signing_time == SIGNING_TIME
    assert report.signature.digest_name == "sha256"
    assert len(report.signature.chain) == 3
    result = openssl_verify(good, root, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Verification successful" in result.stderr


def test_the_ca_can_be_given_in_every_form(good: bytes, root: Path) -> None:
    bundle = open_pkpass(good)
    pem = root.read_bytes()
    cert = x509.load_pem_x509_certificate(pem)
    for ca in (root, str(root), pem, pem.decode(), cert.public_bytes(DER), cert, [cert]):
        assert bundle.verify(ca) == [], type(ca)


def test_an_unreadable_ca_is_a_clear_error(good: bytes, root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "root.pem"
    bad.write_text("not a certificate")
    with pytest.raises(SigningError, match=r"root\.pem: not a certificate"):
        open_pkpass(good).verify(bad)
    # An X.509 v2 certificate: cryptography refuses it with an exception of its own.
    der = x509.load_pem_x509_certificate(root.read_bytes()).public_bytes(DER)
    bad.write_bytes(as_x509_v2(der))
    with pytest.raises(SigningError, match=r"root\.pem: not a certificate"):
        open_pkpass(good).verify(bad)


def test_a_tampered_file(good: bytes, root: Path, tmp_path: Path) -> None:
    tampered = rezip(good, {"icon.png": png(30, 30)})
    problems = open_pkpass(tampered).verify(root)
    only(problems, "manifest.json: 'icon.png' has SHA-1")
    assert len(problems) == 1
    # openssl only checks the signature over the manifest, which is intact.
    assert openssl_verify(tampered, root, tmp_path).returncode == 0


def test_a_tampered_pass_json(good: bytes, root: Path, dev_signer: AppleSigner) -> None:
    changed = pass_json(dev_signer.pass_type_id, dev_signer.team_id, serialNumber="M-9999")
    problems = open_pkpass(rezip(good, {"pass.json": json.dumps(changed).encode()})).verify(root)
    only(problems, "'pass.json' has SHA-1")


def test_a_tampered_manifest(good: bytes, root: Path, tmp_path: Path) -> None:
    # The attacker changes a file and updates the manifest to match: the signature catches it.
    bundle = open_pkpass(good)
    manifest = bundle.json("manifest.json")
    manifest["icon.png"] = hashlib.sha1(png(30, 30)).hexdigest()
    tampered = rezip(
        good, {"icon.png": png(30, 30), "manifest.json": json.dumps(manifest).encode()}
    )
    problems = open_pkpass(tampered).verify(root)
    assert problems == [
        "signature: the signed SHA256 digest does not match manifest.json "
        "(the manifest was changed after signing)"
    ]
    assert openssl_verify(tampered, root, tmp_path).returncode != 0


def test_a_missing_file(good: bytes, root: Path) -> None:
    problems = open_pkpass(rezip(good, {"icon@2x.png": None})).verify(root)
    assert problems == ["manifest.json: lists 'icon@2x.png', which is not in the bundle"]


def test_an_extra_file(good: bytes, root: Path) -> None:
    problems = open_pkpass(rezip(good, {"strip.png": png(375, 144)})).verify(root)
    assert problems == ["manifest.json: 'strip.png' is in the bundle but not in the manifest"]


def test_a_signature_by_another_key(dev_signer: AppleSigner, root: Path, tmp_path: Path) -> None:
    # The right certificates, but the signature value comes from a key that is not theirs.
    files = default_files(dev_signer.pass_type_id, dev_signer.team_id)
    manifest = manifest_for(files)
    encoder = DetachedSignedData(
        signer_certificate=dev_signer.certificate.public_bytes(DER),
        other_certificates=[dev_signer.wwdr.public_bytes(DER)],
        signature_algorithm="rsa",
    )
    attributes = encoder.signed_attributes(hashlib.sha256(manifest).digest(), SIGNING_TIME)
    intruder = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = encoder.encode(
        attributes, intruder.sign(attributes, padding.PKCS1v15(), hashes.SHA256())
    )
    data = signed_bundle(dev_signer, files, manifest=manifest, signature=forged)
    problems = open_pkpass(data).verify(root)
    assert problems == [
        "signature: does not verify with the signing certificate's key "
        "(the signed data was changed, or another key signed it)"
    ]
    assert openssl_verify(data, root, tmp_path).returncode != 0


def test_a_signature_from_another_chain_and_a_wrong_ca(
    good: bytes, root: Path, other_chain: DevChain, tmp_path: Path
) -> None:
    foreign = signed_bundle(other_chain.signer())
    problems = open_pkpass(foreign).verify(root)
    only(problems, "is not issued by the given CA (passkit DEVELOPMENT Root CA")
    assert len(problems) == 1
    # Both roots bear the same name: the message tells them apart by their fingerprints, as
    # openssl prints them, and says that another CA of that name signed the pass.
    given = x509.load_pem_x509_certificate(root.read_bytes())
    printed = subprocess.run(
        ["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", str(root)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert printed.split("=", 1)[1] in problems[0]
    assert given.subject == x509.load_pem_x509_certificate(other_chain.root_pem).subject
    assert "a different CA of the same name signed it" in problems[0]
    assert openssl_verify(foreign, root, tmp_path).returncode != 0
    # ...and the good bundle against the other chain's root: a wrong CA.
    other_root = x509.load_pem_x509_certificate(other_chain.root_pem)
    only(open_pkpass(good).verify(other_root), "is not issued by the given CA")


def test_a_pass_type_id_or_team_different_from_the_certificate(
    dev_signer: AppleSigner, root: Path
) -> None:
    files = default_files("pass.com.example.other", "OTHERTEAM")
    problems = open_pkpass(signed_bundle(dev_signer, files)).verify(root)
    assert problems == [
        f"pass.json: passTypeIdentifier 'pass.com.example.other' differs from the signing "
        f"certificate's UID {dev_signer.pass_type_id!r}; Wallet refuses such a pass",
        f"pass.json: teamIdentifier 'OTHERTEAM' differs from the signing certificate's OU "
        f"{dev_signer.team_id!r}; Wallet refuses such a pass",
    ]


def test_a_certificate_not_valid_at_the_signing_time(dev_signer: AppleSigner, root: Path) -> None:
    late = dev_signer.certificate.not_valid_after_utc + timedelta(days=2)
    problems = open_pkpass(signed_bundle(dev_signer, signing_time=late)).verify(root)
    only(problems, "the signing certificate (Pass Type ID: pass.dev.passkit.example) is valid from")
    only(problems, "not at the signing time")
    early = open_pkpass(signed_bundle(dev_signer, signing_time=SIGNING_TIME + timedelta(days=3)))
    only(early.verify(root, now=SIGNING_TIME), "is in the future")


def test_without_a_ca_the_intermediate_must_be_apples(good: bytes) -> None:
    problems = open_pkpass(good).verify()
    assert problems == [
        "signature: the intermediate certificate (passkit DEVELOPMENT WWDR - not accepted by real "
        "devices) is not Apple's WWDR G4, so Apple Wallet will refuse the pass; to check a "
        "development chain, give its root certificate (--ca ROOT.pem)"
    ]


def test_without_a_ca_a_chain_to_the_apple_intermediate_is_accepted_and_noted(
    good: bytes, dev_signer: AppleSigner
) -> None:
    # Stand the development intermediate in for Apple's: the chain stops there, and says so.
    bundle = open_pkpass(good)
    result = check_signature(
        bundle.read("signature"),
        bundle.read("manifest.json"),
        anchors=None,
        apple_wwdr=dev_signer.wwdr,
    )
    assert result.problems == []
    assert result.notes and "Apple Root CA" in result.notes[0]


def test_apples_wwdr_is_shipped() -> None:
    wwdr = apple_wwdr()
    assert wwdr is not None
    assert wwdr.serial_number == 0x13DC77955271E53DC632E8CCFFE521F3CCC5CED2


def test_an_ec_signer_verifies(root: Path, tmp_path: Path) -> None:
    chain = make_dev_chain(key_type="ec")
    data = signed_bundle(chain.signer())
    (tmp_path / "root.pem").write_bytes(chain.root_pem)
    assert open_pkpass(data).verify(tmp_path / "root.pem") == []
    assert openssl_verify(data, tmp_path / "root.pem", tmp_path / "work").returncode == 0


def _pem_files(tmp_path: Path, certs: DevCertificates) -> None:
    for name in ("pass-cert.pem", "pass-key.pem", "wwdr.pem"):
        (tmp_path / name).write_bytes((certs.directory / name).read_bytes())


def test_a_signature_made_by_the_openssl_command_line_verifies(
    dev_certs: DevCertificates, dev_signer: AppleSigner, root: Path, tmp_path: Path
) -> None:
    files = default_files(dev_signer.pass_type_id, dev_signer.team_id)
    manifest = manifest_for(files)
    (tmp_path / "manifest.json").write_bytes(manifest)
    # -stream writes BER with indefinite lengths (and, in DER output, embeds the content).
    for streamed in (False, True):
        result = subprocess.run(
            ["openssl", "cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER"]
            + ["-in", "manifest.json", "-out", "signature", "-certfile", str(dev_certs.wwdr)]
            + ["-signer", str(dev_certs.pass_certificate), "-inkey", str(dev_certs.pass_key)]
            + (["-stream"] if streamed else []),
            cwd=tmp_path,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        signature = (tmp_path / "signature").read_bytes()
        data = signed_bundle(dev_signer, files, manifest=manifest, signature=signature)
        problems = open_pkpass(data).verify(root, now=datetime.now(UTC))
        if streamed:
            assert problems == [
                "signature: embeds its content; Apple Wallet expects a detached signature "
                "of manifest.json"
            ]
        else:
            assert problems == []


def test_a_signature_made_by_cryptography_verifies(
    dev_signer: AppleSigner, dev_certs: DevCertificates, root: Path
) -> None:
    files = default_files(dev_signer.pass_type_id, dev_signer.team_id)
    manifest = manifest_for(files)
    key = serialization.load_pem_private_key(dev_certs.pass_key.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    signature = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(manifest)
        .add_signer(dev_signer.certificate, key, hashes.SHA256())
        .add_certificate(dev_signer.wwdr)
        .sign(
            serialization.Encoding.DER,
            [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
        )
    )
    data = signed_bundle(dev_signer, files, manifest=manifest, signature=signature)
    assert open_pkpass(data).verify(root) == []


def test_a_signature_without_the_intermediate(
    dev_signer: AppleSigner, dev_certs: DevCertificates, root: Path
) -> None:
    files = default_files(dev_signer.pass_type_id, dev_signer.team_id)
    manifest = manifest_for(files)
    encoder = DetachedSignedData(
        signer_certificate=dev_signer.certificate.public_bytes(DER),
        other_certificates=[],
        signature_algorithm="rsa",
    )
    key = serialization.load_pem_private_key(dev_certs.pass_key.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    attributes = encoder.signed_attributes(hashlib.sha256(manifest).digest(), SIGNING_TIME)
    signature = encoder.encode(
        attributes, key.sign(attributes, padding.PKCS1v15(), hashes.SHA256())
    )
    data = signed_bundle(dev_signer, files, manifest=manifest, signature=signature)
    only(open_pkpass(data).verify(root), "is not carried in the signature; include the WWDR")


@pytest.mark.parametrize(
    "signature", [b"", b"garbage", b"\x30\x03\x06\x01\x00", b"\x30\x80" * 60 + b"\x00" * 4]
)
def test_a_signature_that_is_not_cms(signature: bytes, dev_signer: AppleSigner, root: Path) -> None:
    data = signed_bundle(dev_signer, signature=signature)
    only(open_pkpass(data).verify(root), "signature: not a CMS SignedData structure")


def test_unsigned_and_manifestless_bundles(
    dev_signer: AppleSigner, good: bytes, root: Path
) -> None:
    only(open_pkpass(rezip(good, {"signature": None})).verify(root), "is not signed")
    no_manifest = open_pkpass(rezip(good, {"manifest.json": None})).verify(root)
    only(no_manifest, "manifest.json: missing")


def test_pass_json_rules(dev_signer: AppleSigner, root: Path) -> None:
    document = pass_json(
        dev_signer.pass_type_id,
        dev_signer.team_id,
        formatVersion=2,
        backgroundColor="#ff0000",
        expirationDate="2026-12-01",
        locations=[{"latitude": 1.0, "longitude": 2.0}] * 11,
        beacons=[{"proximityUUID": "nope"}],
        generic={"primaryFields": [{"key": "points", "value": 1}]},
        barcodes=[{"format": "PKBarcodeFormatEAN", "message": "x", "messageEncoding": "ascii"}],
        webServiceURL="https://example.com/passes",
    )
    del document["organizationName"]
    files = default_files(dev_signer.pass_type_id, dev_signer.team_id)
    files["pass.json"] = json.dumps(document).encode()
    problems = open_pkpass(signed_bundle(dev_signer, files)).verify(root)
    for fragment in (
        "organizationName is missing",
        "formatVersion must be the number 1, got 2",
        "several style keys (storeCard, generic)",
        "backgroundColor '#ff0000' is not a colour",
        "expirationDate '2026-12-01' is not a W3C date",
        "locations: at most 10 locations are allowed, got 11",
        "beacons[0].proximityUUID is missing or not a UUID",
        "barcodes[0].format 'PKBarcodeFormatEAN' is not one of",
        "webServiceURL needs an authenticationToken",
    ):
        only(problems, fragment)


def test_field_and_style_rules(dev_signer: AppleSigner, root: Path) -> None:
    document = pass_json(dev_signer.pass_type_id, dev_signer.team_id)
    del document["storeCard"]
    document["boardingPass"] = {
        "primaryFields": [{"key": "from", "value": "CDG"}, {"key": "from", "value": "JFK"}],
        "backFields": [{"label": "no key", "value": True}],
    }
    files = default_files(dev_signer.pass_type_id, dev_signer.team_id)
    files["pass.json"] = json.dumps(document).encode()
    problems = open_pkpass(signed_bundle(dev_signer, files)).verify(root)
    only(problems, "boardingPass.transitType must be one of")
    only(problems, "the field key 'from' is already used in boardingPass.primaryFields[0]")
    only(problems, "boardingPass.backFields[0] has no key")
    only(problems, "boardingPass.backFields[0].value must be a string or a number")


def test_images_and_translations_are_checked(dev_signer: AppleSigner, root: Path) -> None:
    files = default_files(dev_signer.pass_type_id, dev_signer.team_id)
    del files["icon.png"]
    files["logo.png"] = b"GIF89a not a png"
    files["de.lproj/pass.strings"] = b'"a" = "b"'
    problems = open_pkpass(signed_bundle(dev_signer, files)).verify(root)
    only(problems, "icon.png: Apple Wallet needs an icon")
    only(problems, "logo.png: not a PNG image")
    only(problems, "de.lproj/pass.strings:1: expected ';'")


def test_assert_valid_lists_every_problem(dev_signer: AppleSigner, good: bytes, root: Path) -> None:
    tampered = rezip(good, {"icon.png": png(30, 30), "strip.png": png(1, 1)})
    with pytest.raises(VerificationError) as caught:
        open_pkpass(tampered).assert_valid(root)
    error = caught.value
    assert isinstance(error, AssertionError) and isinstance(error, PasskitError)
    assert isinstance(error, BundleError)
    assert len(error.problems) == 2
    assert str(error).startswith("the bundle is not a valid pass (2 problems):\n  - ")
    assert "'icon.png' has SHA-1" in str(error) and "'strip.png' is in the bundle" in str(error)


def test_verify_does_not_depend_on_the_zip_layout(dev_signer: AppleSigner, root: Path) -> None:
    # Same files stored without compression and in another order: still the same valid pass.
    files = default_files(dev_signer.pass_type_id, dev_signer.team_id)
    manifest = manifest_for(files)
    signature = dev_signer.sign(manifest, signing_time=SIGNING_TIME)
    entries = [("signature", signature), ("manifest.json", manifest), *reversed(files.items())]
    import zipfile

    data = zip_bytes(entries, compression=zipfile.ZIP_STORED)
    assert open_pkpass(data).verify(root) == []


def test_a_carried_certificate_of_an_unknown_version_is_a_problem(good: bytes, root: Path) -> None:
    # Found by the fuzz test below: cryptography refuses X.509 v2 with its own exception.
    bundle = open_pkpass(good)
    signature = bundle.read("signature")
    v2 = as_x509_v2(signature)
    anchors = [x509.load_pem_x509_certificate(root.read_bytes())]
    result = check_signature(v2, bundle.read("manifest.json"), anchors=anchors, now=SIGNING_TIME)
    assert result.problems == [
        "signature: not a CMS SignedData structure "
        "(a carried certificate is malformed (1 is not a valid X509 version))"
    ]


# Mutated certificates may carry negative serial numbers, which cryptography warns about.
@pytest.mark.filterwarnings("ignore::cryptography.utils.CryptographyDeprecationWarning")
@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_a_mutated_signature_gives_problems_never_a_crash(
    data: st.DataObject, good: bytes, root: Path
) -> None:
    bundle = open_pkpass(good)
    signature = bytearray(bundle.read("signature"))
    manifest = bundle.read("manifest.json")
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(signature) - 1))
        signature[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        signature = signature[: data.draw(st.integers(0, len(signature)))]
    anchors = [x509.load_pem_x509_certificate(root.read_bytes())]
    result = check_signature(bytes(signature), manifest, anchors=anchors, now=SIGNING_TIME)
    assert all(isinstance(problem, str) and problem for problem in result.problems)
    if bytes(signature) != bundle.read("signature") and not result.problems:
        # Only bytes no check depends on may change unnoticed: never the signed attributes,
        # the signature value or the certificates.
        assert result.signing_time == SIGNING_TIME
