"""The certificates a bundle's signature is checked against: the CA a caller gives (PEM or DER
bytes, PEM text, a path, or certificate objects), and Apple's WWDR G4 intermediate, shipped
with passkit.
"""

from __future__ import annotations

import functools
import importlib.resources
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509

from passkit.errors import SigningError
from passkit.files import CREDENTIAL_LIMIT, read_limited

CaSource = bytes | str | Path | x509.Certificate | Sequence[x509.Certificate]


@functools.cache
def apple_wwdr() -> x509.Certificate | None:
    """Apple's WWDR G4 intermediate, shipped with passkit (None if the file is absent)."""
    resource = importlib.resources.files("passkit") / "data" / "AppleWWDRCAG4.pem"
    try:
        return x509.load_pem_x509_certificate(resource.read_bytes())
    except (FileNotFoundError, ValueError):
        return None


def load_certificates(source: CaSource, what: str) -> list[x509.Certificate]:
    """Certificates from PEM/DER bytes, PEM text, a path, or certificate objects."""
    if isinstance(source, x509.Certificate):
        return [source]
    if isinstance(source, Sequence) and not isinstance(source, str | bytes):
        return list(source)
    name = what
    if isinstance(source, str) and "-----BEGIN" in source:
        data = source.encode("ascii", "replace")
    elif isinstance(source, str | Path):
        name = str(source)
        try:
            data = read_limited(Path(source), CREDENTIAL_LIMIT, "certificate", SigningError)
        except OSError as exc:
            raise SigningError(f"{name}: cannot read the certificate ({exc.strerror})") from None
    else:
        data = bytes(source)
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificates(data)
        return [x509.load_der_x509_certificate(data)]
    except (ValueError, x509.InvalidVersion):
        raise SigningError(
            f"{name}: not a certificate (expected PEM with BEGIN CERTIFICATE, or DER)"
        ) from None
