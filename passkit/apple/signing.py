"""Signing Apple Wallet passes: the `AppleSigner`, made once from the Pass Type ID certificate
and key (PEM files, a PKCS#12 file or environment variables), then signing any number of
manifests cheaply.

Reading the certificates and key is `passkit.apple.credentials`; what is checked about them,
and the message for each problem, `passkit.apple.certificate_checks`; the signature itself,
`passkit.apple.cms`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from passkit.apple.certificate_checks import (
    check_issued_by,
    check_key,
    expiry_warning,
    explain_validity,
    other_pass_type,
    other_team,
    pass_type_and_team,
    public_der,
)
from passkit.apple.cms import DetachedSignedData
from passkit.apple.credentials import (
    Credential,
    SigningKey,
    Source,
    load_certificates,
    load_pkcs12,
    load_signing_key,
    password_bytes,
    read_credential,
    resolve_wwdr,
)
from passkit.environment import (
    ENV_CERT,
    ENV_KEY,
    ENV_KEY_PASSWORD,
    ENV_P12,
    ENV_P12_PASSWORD,
    ENV_WWDR,
)
from passkit.errors import SigningError


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
        check_key(key, certificate, certificate_name)
        pass_type_id, team_id = pass_type_and_team(certificate, certificate_name)
        check_issued_by(certificate, wwdr, certificate_name, wwdr_name)

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
                expiry_warning("pass certificate", certificate, now),
                expiry_warning("WWDR certificate", wwdr, now),
            )
            if warning
        )
        der = serialization.Encoding.DER
        self._encoder = DetachedSignedData(
            signer_certificate=certificate.public_bytes(der),
            other_certificates=[wwdr.public_bytes(der)],
            signature_algorithm="rsa" if isinstance(key, rsa.RSAPrivateKey) else "ecdsa",
        )

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
        certificates = load_certificates(certificate_source)
        private_key = load_signing_key(read_credential(key, "key"), password_bytes(key_password))
        key_der = public_der(private_key)
        leaf = next((c for c in certificates if public_der(c) == key_der), certificates[0])
        extra = [c for c in certificates if c is not leaf]
        wwdr_certificate, wwdr_name = resolve_wwdr(wwdr, leaf, extra)
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
        private_key, leaf, additional = load_pkcs12(loaded, password_bytes(password))
        wwdr_certificate, wwdr_name = resolve_wwdr(wwdr, leaf, additional)
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
            explain_validity(self.certificate, self.wwdr, moment)
        if pass_type_id is not None and pass_type_id != self.pass_type_id:
            raise other_pass_type(self.certificate, self.pass_type_id, pass_type_id)
        if team_id is not None and team_id != self.team_id:
            raise other_team(self.certificate, self.team_id, team_id)

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
