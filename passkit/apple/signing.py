"""Signing Apple Wallet passes: load the Pass Type ID certificate and key, check, sign manifests.

An `AppleSigner` is built once (from PEM files, a PKCS#12 file or environment variables), checks
everything that can be checked about the certificates up front and explains what is wrong, then
signs any number of manifests cheaply: see passkit.apple.cms for the signature itself.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import NoReturn

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from passkit.apple.cms import DetachedSignedData
from passkit.environment import (
    ENV_CERT,
    ENV_KEY,
    ENV_KEY_PASSWORD,
    ENV_P12,
    ENV_P12_PASSWORD,
    ENV_WWDR,
)
from passkit.errors import SigningError
from passkit.files import CREDENTIAL_LIMIT, read_limited
from passkit.keys import load_private_key, signs_verifiably
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

# Warn this long before a certificate expires: long enough to get a new one from Apple.
EXPIRY_WARNING = timedelta(days=30)


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


def _load_certificates(loaded: Credential) -> list[x509.Certificate]:
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


def _load_certificate(loaded: Credential) -> x509.Certificate:
    return _load_certificates(loaded)[0]


def _password_bytes(password: str | bytes | None) -> bytes | None:
    if password is None or isinstance(password, bytes):
        return password
    return password.encode("utf-8")


def _load_private_key(loaded: Credential, password: bytes | None) -> SigningKey:
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
    return _signing_key(key, loaded.name)


def _signing_key(key: object, name: str) -> SigningKey:
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


def _public_der(key: SigningKey | x509.Certificate) -> bytes:
    public = key.public_key()
    return public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _check_signs(key: SigningKey, certificate: x509.Certificate, certificate_name: str) -> None:
    """Raise unless a signature of `key` verifies with `certificate` (a damaged key's does not:
    its private parts no longer fit its public part)."""
    if not signs_verifiably(key, certificate.public_key()):
        raise SigningError(
            f"the private key for the pass certificate {_describe(certificate)}"
            f" ({certificate_name}) is damaged: its signatures do not verify with the"
            " certificate; export the key again from where it was created"
        )


def _name_attribute(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    values = certificate.subject.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _describe(certificate: x509.Certificate) -> str:
    common_name = _name_attribute(certificate, NameOID.COMMON_NAME)
    return f"'{common_name}'" if common_name else f"'{_name(certificate.subject)}'"


def _name(name: x509.Name) -> str:
    # In certificate order (CN first), which reads better than RFC 4514's reversed order.
    return ", ".join(attribute.rfc4514_string() for attribute in name)


# For a development chain, which can be made again with any window.
_WIDER_WINDOW = (
    "for development certificates, make them again with a window that holds that time: "
    "passkit certs dev DIR --force --valid-from YYYY-MM-DD --valid-until YYYY-MM-DD (in "
    "tests, override the passkit_dev_validity fixture)"
)


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _default_wwdr() -> bytes:
    return resources.files("passkit").joinpath("data/AppleWWDRCAG4.pem").read_bytes()


def _expiry_warning(what: str, certificate: x509.Certificate, now: datetime) -> str | None:
    not_after = certificate.not_valid_after_utc
    if now < not_after <= now + EXPIRY_WARNING:
        days = (not_after - now).days
        return f"the {what} expires on {not_after:%Y-%m-%d} (in {days} days)"
    return None


class AppleSigner:
    """Signs manifest.json files with a Pass Type ID certificate, carrying the WWDR intermediate.

    Build it with `from_pem`, `from_pkcs12` or `from_env`; each checks that the key matches the
    certificate, that the certificate is a Pass Type ID certificate and that the WWDR certificate
    issued it. `check` adds the checks that depend on the time and on the pass being signed.
    """

    pass_type_id: str
    team_id: str
    certificate: x509.Certificate
    wwdr: x509.Certificate
    warnings: tuple[str, ...]

    def __init__(
        self,
        certificate: x509.Certificate,
        key: SigningKey,
        wwdr: x509.Certificate,
        *,
        certificate_name: str = "the pass certificate",
        wwdr_name: str = "the WWDR certificate",
    ) -> None:
        if _public_der(key) != _public_der(certificate):
            raise SigningError(
                f"the private key does not match the pass certificate {_describe(certificate)}"
                f" ({certificate_name}): give the key that was created with this certificate's"
                " signing request, or the certificate issued for this key"
            )
        _check_signs(key, certificate, certificate_name)
        pass_type_id = _name_attribute(certificate, NameOID.USER_ID)
        team_id = _name_attribute(certificate, NameOID.ORGANIZATIONAL_UNIT_NAME)
        if not pass_type_id or not team_id:
            missing = " and ".join(
                label
                for label, value in (
                    ("UID (pass type id)", pass_type_id),
                    ("OU (team id)", team_id),
                )
                if not value
            )
            raise SigningError(
                f"{certificate_name} {_describe(certificate)} has no {missing} in its subject:"
                " it is not a Pass Type ID certificate; create one in the Apple Developer portal"
                " under Certificates, Identifiers & Profiles > Identifiers > Pass Type IDs"
            )
        self._check_issued_by(certificate, wwdr, certificate_name, wwdr_name)

        self.pass_type_id = pass_type_id
        self.team_id = team_id
        self.certificate = certificate
        self.wwdr = wwdr
        self._key = key
        self._valid_from = max(certificate.not_valid_before_utc, wwdr.not_valid_before_utc)
        self._valid_until = min(certificate.not_valid_after_utc, wwdr.not_valid_after_utc)
        now = datetime.now(UTC)
        self.warnings = tuple(
            warning
            for warning in (
                _expiry_warning("pass certificate", certificate, now),
                _expiry_warning("WWDR certificate", wwdr, now),
            )
            if warning
        )
        der = serialization.Encoding.DER
        self._encoder = DetachedSignedData(
            signer_certificate=certificate.public_bytes(der),
            other_certificates=[wwdr.public_bytes(der)],
            signature_algorithm="rsa" if isinstance(key, rsa.RSAPrivateKey) else "ecdsa",
        )

    @staticmethod
    def _check_issued_by(
        certificate: x509.Certificate, wwdr: x509.Certificate, certificate_name: str, wwdr_name: str
    ) -> None:
        fix = (
            "use Apple's WWDR G4 intermediate (the default when no WWDR is given) or give the"
            " intermediate certificate that issued your pass certificate (the"
            f" {ENV_WWDR} environment variable, or --wwdr)"
        )
        if certificate.issuer != wwdr.subject:
            raise SigningError(
                f"the pass certificate {_describe(certificate)} ({certificate_name}) was issued by"
                f" '{_name(certificate.issuer)}', not by the WWDR certificate"
                f" '{_name(wwdr.subject)}' ({wwdr_name}): {fix}"
            )
        try:
            certificate.verify_directly_issued_by(wwdr)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            raise SigningError(
                f"the pass certificate {_describe(certificate)} ({certificate_name}) names"
                f" '{_name(wwdr.subject)}' as issuer but its signature does not verify"
                f" with the WWDR certificate ({wwdr_name}): {fix}"
            ) from None

    @classmethod
    def from_pem(
        cls,
        certificate: Source,
        key: Source,
        *,
        key_password: str | bytes | None = None,
        wwdr: Source | None = None,
    ) -> AppleSigner:
        """From the pass certificate and its private key (PEM or DER; the key maybe encrypted).

        If the certificate file holds several certificates, the one matching the key is the
        pass certificate and, when `wwdr` is not given, the one that issued it is the WWDR.
        """
        certificate_source = read_credential(certificate, "certificate")
        certificates = _load_certificates(certificate_source)
        private_key = _load_private_key(read_credential(key, "key"), _password_bytes(key_password))
        key_der = _public_der(private_key)
        leaf = next((c for c in certificates if _public_der(c) == key_der), certificates[0])
        extra = [c for c in certificates if c is not leaf]
        wwdr_certificate, wwdr_name = _resolve_wwdr(wwdr, leaf, extra)
        return cls(
            leaf,
            private_key,
            wwdr_certificate,
            certificate_name=certificate_source.name,
            wwdr_name=wwdr_name,
        )

    @classmethod
    def from_pkcs12(
        cls,
        p12: Source,
        *,
        password: str | bytes | None = None,
        wwdr: Source | None = None,
    ) -> AppleSigner:
        """From a PKCS#12 (.p12) file as Keychain Access exports it.

        When `wwdr` is not given and the file carries the certificate that issued the pass
        certificate, that one is used; otherwise Apple's WWDR G4.
        """
        if isinstance(p12, str) and p12.lstrip().startswith("-----BEGIN"):
            raise SigningError("a PKCS#12 file is binary: give its path or its bytes, not PEM text")
        loaded = read_credential(p12, "PKCS#12")
        secret = _password_bytes(password)
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
        private_key = _signing_key(key, loaded.name)
        wwdr_certificate, wwdr_name = _resolve_wwdr(wwdr, leaf, list(additional))
        return cls(
            leaf,
            private_key,
            wwdr_certificate,
            certificate_name=loaded.name,
            wwdr_name=wwdr_name,
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AppleSigner:
        """From environment variables: a PKCS#12 file, or a certificate and a key.

        PASSKIT_APPLE_P12 (path) with PASSKIT_APPLE_P12_PASSWORD, or PASSKIT_APPLE_CERT and
        PASSKIT_APPLE_KEY (path or PEM text) with PASSKIT_APPLE_KEY_PASSWORD; optionally
        PASSKIT_WWDR (path or PEM text) instead of the shipped WWDR G4.
        """
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            return env.get(name) or None

        def read(name: str, what: str) -> Credential | None:
            value = get(name)
            return None if value is None else read_credential(value, what, name)

        wwdr = read(ENV_WWDR, "WWDR certificate")
        p12, cert, key = get(ENV_P12), get(ENV_CERT), get(ENV_KEY)
        if p12 and (cert or key):
            raise SigningError(
                f"both {ENV_P12} and {ENV_CERT}/{ENV_KEY} are set: set only one way of giving"
                " the pass certificate"
            )
        if p12:
            loaded = read_credential(p12, "PKCS#12", ENV_P12)
            return cls.from_pkcs12(loaded, password=get(ENV_P12_PASSWORD), wwdr=wwdr)
        if cert and key:
            certificate = read_credential(cert, "certificate", ENV_CERT)
            private_key = read_credential(key, "key", ENV_KEY)
            return cls.from_pem(
                certificate, private_key, key_password=get(ENV_KEY_PASSWORD), wwdr=wwdr
            )
        if cert or key:
            missing = ENV_KEY if cert else ENV_CERT
            raise SigningError(
                f"{ENV_CERT if cert else ENV_KEY} is set but {missing} is not: set both"
                " (a path or PEM text each)"
            )
        raise SigningError(
            "no Apple signing certificate configured: set PASSKIT_APPLE_CERT and"
            " PASSKIT_APPLE_KEY (paths or PEM text; PASSKIT_APPLE_KEY_PASSWORD if the key is"
            " encrypted), or PASSKIT_APPLE_P12 and PASSKIT_APPLE_P12_PASSWORD; PASSKIT_WWDR is"
            " optional. For development, `passkit certs dev DIR` writes throwaway ones."
        )

    def check(
        self,
        *,
        now: datetime | None = None,
        pass_type_id: str | None = None,
        team_id: str | None = None,
    ) -> None:
        """Raise SigningError if the certificates are not valid at `now` or do not suit the pass."""
        moment = datetime.now(UTC) if now is None else now
        if moment.tzinfo is None:
            raise SigningError("check(now=...) needs a timezone-aware datetime")
        # Called for every pass: one comparison when all is well, the details only when not.
        if not self._valid_from <= moment <= self._valid_until:
            self._explain_validity(moment)
        if pass_type_id is not None and pass_type_id != self.pass_type_id:
            subject = _describe(self.certificate)
            raise SigningError(
                f"the pass type identifier '{pass_type_id}' differs from the certificate's"
                f" '{self.pass_type_id}' (UID of {subject}): sign with the certificate issued"
                f" for '{pass_type_id}', or use '{self.pass_type_id}' as the pass type identifier"
            )
        if team_id is not None and team_id != self.team_id:
            subject = _describe(self.certificate)
            raise SigningError(
                f"the team identifier '{team_id}' differs from the certificate's"
                f" '{self.team_id}' (OU of {subject}): use '{self.team_id}', or sign with a"
                f" certificate of team '{team_id}'"
            )

    def _explain_validity(self, moment: datetime) -> NoReturn:
        subject = _describe(self.certificate)
        not_before = self.certificate.not_valid_before_utc
        not_after = self.certificate.not_valid_after_utc
        window = f"valid from {_when(not_before)} to {_when(not_after)}"
        if moment < not_before:
            raise SigningError(
                f"the pass certificate {subject} is {window}, not at {_when(moment)}, the time "
                f"passes are signed at: check that time (the clock, or a fixed time given to "
                f"the build); {_WIDER_WINDOW}"
            )
        if moment > not_after:
            raise SigningError(
                f"the pass certificate {subject} expired on {_when(not_after)} ({window}; "
                f"passes are signed at {_when(moment)}): renew it under Certificates, "
                f"Identifiers & Profiles in the Apple Developer portal; {_WIDER_WINDOW}"
            )
        wwdr_expiry = self.wwdr.not_valid_after_utc
        if moment > wwdr_expiry:
            raise SigningError(
                f"the WWDR certificate {_describe(self.wwdr)} expired on {_when(wwdr_expiry)}"
                f" (passes are signed at {_when(moment)}): download the current intermediate "
                f"from https://www.apple.com/certificateauthority/ and give it with --wwdr or "
                f"{ENV_WWDR}"
            )
        raise SigningError(
            f"the WWDR certificate {_describe(self.wwdr)} is not valid before"
            f" {_when(self.wwdr.not_valid_before_utc)} (passes are signed at {_when(moment)}):"
            f" check that time (the clock, or a fixed time given to the build); {_WIDER_WINDOW}"
        )

    def sign(self, manifest: bytes, *, signing_time: datetime) -> bytes:
        """Detached CMS SignedData (DER) over `manifest`, with `signing_time` as signingTime."""
        try:
            attributes = self._encoder.signed_attributes(
                hashlib.sha256(manifest).digest(), signing_time
            )
        except ValueError as exc:
            raise SigningError(str(exc)) from None
        key = self._key
        if isinstance(key, rsa.RSAPrivateKey):
            signature = key.sign(attributes, _PKCS1V15, _SHA256)
        else:
            signature = key.sign(attributes, _DETERMINISTIC_ECDSA)
        return self._encoder.encode(attributes, signature)

    def client_identity_pem(self, password: bytes) -> bytes:
        """The pass certificate, the WWDR intermediate and the key (encrypted with `password`)
        as one PEM text: the TLS client identity APNs accepts for this pass type's pushes.

        The key leaves the signer encrypted only, so that the file a TLS library needs to read
        it from never holds it in the clear.
        """
        pem = serialization.Encoding.PEM
        key = self._key.private_bytes(
            pem,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password),
        )
        return self.certificate.public_bytes(pem) + self.wwdr.public_bytes(pem) + key

    def __repr__(self) -> str:
        return f"AppleSigner(pass_type_id={self.pass_type_id!r}, team_id={self.team_id!r})"


_PKCS1V15 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()


def _ecdsa_sha256() -> ec.ECDSA:
    # RFC 6979 nonces make EC signatures repeatable too (same manifest and time, same bytes);
    # an OpenSSL too old for them still signs correctly, only not repeatably.
    try:
        return ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    except UnsupportedAlgorithm:
        return ec.ECDSA(hashes.SHA256())


_DETERMINISTIC_ECDSA = _ecdsa_sha256()


def _resolve_wwdr(
    wwdr: Source | None, leaf: x509.Certificate, candidates: list[x509.Certificate]
) -> tuple[x509.Certificate, str]:
    if wwdr is not None:
        loaded = read_credential(wwdr, "WWDR certificate")
        return _load_certificate(loaded), loaded.name
    issuer = next((c for c in candidates if c.subject == leaf.issuer), None)
    if issuer is not None:
        return issuer, "the intermediate certificate found next to the pass certificate"
    return x509.load_pem_x509_certificate(_default_wwdr()), "Apple WWDR G4, shipped with passkit"
