"""Helpers for the signing tests: check signatures with the openssl command line, and make
certificates cryptography cannot read and keys that do not sign."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from passkit.devcerts import DevCertificates


def openssl(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", *map(str, args)], capture_output=True, text=True, check=False, timeout=60
    )


def cms_verify(
    signature: bytes, manifest: bytes, root: Path, work: Path, *, command: str = "cms"
) -> subprocess.CompletedProcess[str]:
    """Verify a detached DER signature over `manifest` with openssl, trusting only `root`.

    The intermediate is not given: it must come from inside the signature.
    """
    work.mkdir(parents=True, exist_ok=True)
    signature_path = work / "signature"
    manifest_path = work / "manifest.json"
    signature_path.write_bytes(signature)
    manifest_path.write_bytes(manifest)
    return openssl(
        command,
        "-verify",
        "-binary",
        "-inform",
        "DER",
        "-in",
        signature_path,
        "-content",
        manifest_path,
        "-CAfile",
        root,
        "-purpose",
        "any",
        "-out",
        work / "verified-content",
    )


def cms_print(signature: bytes, work: Path) -> str:
    """openssl's readable dump of a DER CMS structure."""
    work.mkdir(parents=True, exist_ok=True)
    path = work / "signature-to-print"
    path.write_bytes(signature)
    result = openssl("cms", "-cmsout", "-print", "-inform", "DER", "-in", path)
    assert result.returncode == 0, result.stderr
    return result.stdout


# The version field of an X.509 v3 certificate: [0] EXPLICIT INTEGER 2.
_VERSION_3 = bytes.fromhex("a003020102")


def as_x509_v2(der: bytes) -> bytes:
    """DER with every X.509 v3 version field in it (a certificate, or a signature carrying
    some) set to v2: well formed, but cryptography reads v1 and v3 only."""
    assert _VERSION_3 in der, "no X.509 v3 certificate in these bytes"
    return der.replace(_VERSION_3, bytes.fromhex("a003020101"))


def damaged_rsa_key(key: rsa.RSAPrivateKey) -> rsa.RSAPrivateKey:
    """`key` with its public part intact and its private exponents damaged: it loads (when
    OpenSSL's consistency check is skipped) but makes signatures nothing verifies.

    Both d and a CRT exponent are damaged: OpenSSL recovers from a wrong CRT exponent alone
    by signing again with d.
    """
    numbers = key.private_numbers()
    return rsa.RSAPrivateNumbers(
        p=numbers.p,
        q=numbers.q,
        d=numbers.d ^ 2,
        dmp1=numbers.dmp1 ^ 2,
        dmq1=numbers.dmq1,
        iqmp=numbers.iqmp,
        public_numbers=numbers.public_numbers,
    ).private_key(unsafe_skip_rsa_key_validation=True)


def encrypted_pass_key(certs: DevCertificates, password: bytes) -> bytes:
    """The development pass key as encrypted PKCS#8 PEM."""
    key = serialization.load_pem_private_key(certs.pass_key.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password),
    )
