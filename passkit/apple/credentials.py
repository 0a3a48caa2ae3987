"""Reading a pass certificate, its private key and the WWDR intermediate: from files, PEM
text, bytes or a PKCS#12 file, each problem a SigningError naming the file and what to give."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from passkit.environment import ENV_KEY_PASSWORD, ENV_P12_PASSWORD
from passkit.errors import SigningError
from passkit.files import CREDENTIAL_LIMIT, read_limited
from passkit.keys import load_private_key
from passkit.secret_source import read_secret_file


@dataclass(frozen=True)
class Credential:
    """The bytes of a certificate or key file and how to name it in a message.

    Plain data, so it can be handed to other processes; `read_credential` makes one.
    """

    data: bytes = field(repr=False)  # a key, maybe: never shown
    name: str


Source = bytes | str | Path | Credential
SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \1-----[ \t]*\r?\n?", re.DOTALL)
_KEY_LABELS = {b"PRIVATE KEY", b"ENCRYPTED PRIVATE KEY", b"RSA PRIVATE KEY", b"EC PRIVATE KEY"}


def read_credential(source: Source, what: str, origin: str | None = None) -> Credential:
    """bytes are content; a str starting with -----BEGIN is PEM text; other str/Path are files.

    `origin` names where a str came from (an environment variable or an option) in messages:
    a str that names no file may be a secret in the wrong place, and is never shown.
    """
    if isinstance(source, Credential):
        return source
    if isinstance(source, bytes):
        return Credential(source, f"the {what} given as bytes")
    if isinstance(source, str) and source.lstrip().startswith("-----BEGIN"):
        if "\n" not in source:
            # CI secret stores often hold PEM on one line with literal \n escapes.
            source = source.replace("\\n", "\n")
        return Credential(source.encode("utf-8"), f"the {what} given as PEM text")
    if isinstance(source, str):
        expected = "PEM text (-----BEGIN ...-----)"
        data, path = read_secret_file(source, origin or f"the {what} given", what, expected)
        return Credential(data, f"{what} file '{path}'")
    path = Path(source)
    try:
        return Credential(
            read_limited(path, CREDENTIAL_LIMIT, what, SigningError), f"{what} file '{path}'"
        )
    except FileNotFoundError:
        raise SigningError(f"{what} file '{path}' does not exist: check the path") from None
    except IsADirectoryError:
        raise SigningError(f"{what} file '{path}' is a directory, not a file") from None
    except OSError as exc:
        raise SigningError(f"cannot read {what} file '{path}': {exc.strerror}") from None


def _pem_blocks(data: bytes, labels: set[bytes]) -> list[bytes]:
    return [match.group(0) for match in _PEM_BLOCK.finditer(data) if match.group(1) in labels]


def load_certificates(loaded: Credential) -> list[x509.Certificate]:
    """All certificates in PEM (one or more blocks) or DER content."""
    try:
        if b"-----BEGIN" in loaded.data:
            blocks = _pem_blocks(loaded.data, {b"CERTIFICATE"})
            if not blocks:
                raise SigningError(
                    f"{loaded.name} holds no PEM CERTIFICATE block: give the certificate itself"
                    " (-----BEGIN CERTIFICATE-----), not a key or a request"
                )
            return [x509.load_pem_x509_certificate(block) for block in blocks]
        return [x509.load_der_x509_certificate(loaded.data)]
    except (ValueError, x509.InvalidVersion) as exc:  # cryptography reads X.509 v1 and v3 only
        raise SigningError(
            f"{loaded.name} is not a readable X.509 certificate in PEM or DER ({exc}):"
            " export it again from Keychain Access or the Apple Developer portal"
        ) from None


def load_certificate(loaded: Credential) -> x509.Certificate:
    return load_certificates(loaded)[0]


def password_bytes(password: str | bytes | None) -> bytes | None:
    if password is None or isinstance(password, bytes):
        return password
    return password.encode("utf-8")


def load_signing_key(loaded: Credential, password: bytes | None) -> SigningKey:
    data = loaded.data
    if b"-----BEGIN" in data:
        blocks = _pem_blocks(data, _KEY_LABELS)
        if not blocks:
            raise SigningError(
                f"{loaded.name} holds no PEM private key block"
                " (-----BEGIN PRIVATE KEY----- or similar): give the key of the pass certificate"
            )
        data = blocks[0]
        encrypted = b"ENCRYPTED" in data
    else:
        encrypted = None  # DER: only loading tells

    try:
        # Proven by a trial signature when the signer is made (passkit.keys).
        key = load_private_key(data, password if encrypted is not False else None)
    except TypeError:
        if password is None:
            raise SigningError(
                f"{loaded.name} is encrypted: give its password"
                f" (the {ENV_KEY_PASSWORD} environment variable, or --apple-key-password)"
            ) from None
        # A password for a key that is not encrypted is harmless: load the key without it.
        key = load_private_key(data, None)
    except ValueError:
        if password is not None and encrypted is not False:
            doubt = "" if encrypted else " (or it is not a private key)"
            raise SigningError(
                f"wrong password for {loaded.name}{doubt}: the key could not be decrypted;"
                f" check the password given ({ENV_KEY_PASSWORD} or --apple-key-password)"
            ) from None
        raise SigningError(
            f"{loaded.name} is not a readable private key in PEM or DER:"
            " give the private key that belongs to the pass certificate"
        ) from None
    except UnsupportedAlgorithm as exc:
        raise SigningError(f"{loaded.name}: unsupported key ({exc})") from None
    return signing_key(key, loaded.name)


def load_pkcs12(
    loaded: Credential, secret: bytes | None
) -> tuple[SigningKey, x509.Certificate, list[x509.Certificate]]:
    """The key, the certificate and the other certificates of a PKCS#12 file."""
    try:
        key, leaf, additional = pkcs12.load_key_and_certificates(loaded.data, secret)
    except ValueError:
        if not secret:
            raise SigningError(
                f"{loaded.name} could not be opened without a password: give its password"
                f" (the {ENV_P12_PASSWORD} environment variable, or --apple-p12-password)"
            ) from None
        raise SigningError(
            f"wrong password for {loaded.name}, or the file is not PKCS#12: check the"
            " password chosen when the certificate was exported (for example from Keychain"
            " Access)"
        ) from None
    except UnsupportedAlgorithm as exc:
        raise SigningError(f"{loaded.name} uses an unsupported algorithm ({exc})") from None
    if key is None or leaf is None:
        missing = "private key" if key is None else "certificate"
        raise SigningError(
            f"{loaded.name} holds no {missing}: export the Pass Type ID certificate together"
            " with its private key from Keychain Access"
        )
    return signing_key(key, loaded.name), leaf, list(additional)


def signing_key(key: object, name: str) -> SigningKey:
    if isinstance(key, rsa.RSAPrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and isinstance(key.curve, ec.SECP256R1):
        return key
    kind = type(key).__name__.removeprefix("_")
    if isinstance(key, ec.EllipticCurvePrivateKey):
        kind = f"EC key on curve {key.curve.name}"
    raise SigningError(
        f"{name}: {kind} is not supported for pass signing: use an RSA or EC P-256 key"
    )


def default_wwdr() -> bytes:
    return resources.files("passkit").joinpath("data/AppleWWDRCAG4.pem").read_bytes()


def resolve_wwdr(
    wwdr: Source | None, leaf: x509.Certificate, candidates: list[x509.Certificate]
) -> tuple[x509.Certificate, str]:
    if wwdr is not None:
        loaded = read_credential(wwdr, "WWDR certificate")
        return load_certificate(loaded), loaded.name
    issuer = next((c for c in candidates if c.subject == leaf.issuer), None)
    if issuer is not None:
        return issuer, "the intermediate certificate found next to the pass certificate"
    return x509.load_pem_x509_certificate(default_wwdr()), "Apple WWDR G4, shipped with passkit"
