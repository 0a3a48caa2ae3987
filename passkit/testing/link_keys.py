"""The RSA public key that checks a save link's signature, from whatever form a test holds:
PEM text or bytes (public key, certificate or private key), a cryptography key or certificate,
a `ServiceAccount`, its JSON key (parsed or as a file path).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from passkit.errors import PasskitError
from passkit.files import CREDENTIAL_LIMIT, read_limited

KeySource = Any  # PEM text/bytes, a key, a certificate, a ServiceAccount, a JSON key file path


def load_public_key(source: KeySource) -> rsa.RSAPublicKey:
    """The RSA public key that checks save links, from whatever form the caller holds."""
    from passkit.google.credentials import ServiceAccount

    key: Any = source
    if isinstance(source, ServiceAccount):
        return source.public_key()
    if isinstance(source, Mapping):
        key = ServiceAccount.from_json(source).public_key()
    elif isinstance(source, x509.Certificate | rsa.RSAPrivateKey):
        key = source.public_key()
    elif isinstance(source, str | bytes | Path):
        key = _key_from_text_or_file(source)
    if not isinstance(key, rsa.RSAPublicKey):
        raise PasskitError(
            f"cannot check a save link with a {type(key).__name__}: give the service account's "
            "JSON key file, its RSA public key or certificate (PEM)"
        )
    return key


def _key_from_text_or_file(source: str | bytes | Path) -> Any:
    from passkit.google.credentials import ServiceAccount

    data: bytes
    name = "public key"
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str) and ("-----BEGIN" in source or source.lstrip().startswith("{")):
        data = source.encode()
    else:
        name = str(source)
        try:
            data = read_limited(Path(source), CREDENTIAL_LIMIT, "key", PasskitError)
        except OSError as exc:
            raise PasskitError(f"{name}: cannot read the key ({exc.strerror})") from None
    if data.lstrip().startswith(b"{"):
        return ServiceAccount.from_json(data, source=name).public_key()
    loaders: list[Callable[[bytes], Any]] = [
        serialization.load_pem_public_key,
        lambda d: x509.load_pem_x509_certificate(d).public_key(),
        lambda d: serialization.load_pem_private_key(d, None).public_key(),
    ]
    for loader in loaders:
        try:
            return loader(data)
        except (ValueError, TypeError, x509.InvalidVersion):
            continue
    raise PasskitError(
        f"{name}: not a PEM public key, certificate, private key or service-account JSON"
    )
