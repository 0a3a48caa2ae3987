"""Throwaway development certificates: a fake Apple chain and a fake Google service account.

They let the demo, the tests and a new user sign real, verifiable passes without an Apple or
Google account. Real devices and Google reject them: the root is made here, not by Apple, and the
service account does not exist. Every name says so.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from passkit.apple.signing import AppleSigner
from passkit.errors import PasskitError
from passkit.files import atomic_write

KeyType = Literal["rsa", "ec"]
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

DEFAULT_PASS_TYPE_ID = "pass.dev.passkit.example"
DEFAULT_TEAM_ID = "PASSKITDEV"
P12_PASSWORD = "passkit-dev"
ORGANIZATION = "passkit development"
ROOT_NAME = "passkit DEVELOPMENT Root CA - not accepted by real devices"
WWDR_NAME = "passkit DEVELOPMENT WWDR - not accepted by real devices"
SERVICE_ACCOUNT_EMAIL = "passkit-dev@passkit-dev.iam.gserviceaccount.com"
WARNING = (
    "These certificates are for DEVELOPMENT only. Real iPhones and Apple Watches do NOT accept"
    " passes signed with them, and Google does NOT accept the service account."
)

# The default validity window: this many years either side of today, so that passes built with
# a fixed clock (a test's `now`, `passkit build --now`) can be signed.
DEFAULT_YEARS = 5
# The root outlives the certificates it stands behind by a day.
_ROOT_MARGIN = timedelta(days=1)


def validity_window(
    valid_from: datetime | date | None = None,
    valid_until: datetime | date | None = None,
    *,
    years: int = DEFAULT_YEARS,
    today: datetime | None = None,
) -> tuple[datetime, datetime]:
    """The validity window of development certificates, in UTC: `valid_from` to `valid_until`
    (a date is its midnight, UTC; a time without a zone is UTC), each by default `years`
    years before or after today (midnight UTC)."""
    midnight = (
        (today or datetime.now(UTC))
        .astimezone(UTC)
        .replace(hour=0, minute=0, second=0, microsecond=0)
    )
    span = timedelta(days=round(365.25 * years))
    start = midnight - span if valid_from is None else _utc(valid_from)
    end = midnight + span if valid_until is None else _utc(valid_until)
    if not start < end:
        raise PasskitError(
            f"the validity window of the development certificates is empty "
            f"({start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC): the start must come "
            "before the end"
        )
    return start, end


def _utc(moment: datetime | date) -> datetime:
    if not isinstance(moment, datetime):
        return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class DevChain:
    """A development certificate chain and service account, in memory (PEM and JSON bytes)."""

    root_pem: bytes
    wwdr_pem: bytes
    pass_certificate_pem: bytes
    pass_key_pem: bytes
    google_service_account_json: bytes
    pass_type_id: str
    team_id: str
    # Kept so that more development certificates can be issued under the same intermediate;
    # `write_dev_certificates` does not write it.
    wwdr_key_pem: bytes

    def signer(self) -> AppleSigner:
        return AppleSigner.from_pem(
            self.pass_certificate_pem, self.pass_key_pem, wwdr=self.wwdr_pem
        )

    def pkcs12(self, password: str = P12_PASSWORD) -> bytes:
        """The pass certificate, its key and the WWDR certificate as a PKCS#12 file."""
        key = serialization.load_pem_private_key(self.pass_key_pem, None)
        assert isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
        return pkcs12.serialize_key_and_certificates(
            name=f"Pass Type ID: {self.pass_type_id}".encode(),
            key=key,
            cert=x509.load_pem_x509_certificate(self.pass_certificate_pem),
            cas=[x509.load_pem_x509_certificate(self.wwdr_pem)],
            encryption_algorithm=serialization.BestAvailableEncryption(password.encode()),
        )


@dataclass(frozen=True)
class DevCertificates:
    """Where `write_dev_certificates` put each file, and what it holds."""

    directory: Path
    root: Path
    wwdr: Path
    pass_certificate: Path
    pass_key: Path
    pass_p12: Path
    google_service_account: Path
    readme: Path
    p12_password: str
    pass_type_id: str
    team_id: str

    def signer(self) -> AppleSigner:
        return AppleSigner.from_pem(self.pass_certificate, self.pass_key, wwdr=self.wwdr)

    @property
    def files(self) -> tuple[Path, ...]:
        return (
            self.root,
            self.wwdr,
            self.pass_certificate,
            self.pass_key,
            self.pass_p12,
            self.google_service_account,
            self.readme,
        )


def _new_key(key_type: KeyType) -> PrivateKey:
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str, *, unit: str | None = None, user_id: str | None = None) -> x509.Name:
    attributes = []
    if user_id is not None:
        attributes.append(x509.NameAttribute(NameOID.USER_ID, user_id))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    if unit is not None:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit))
    attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION))
    return x509.Name(attributes)


def _certificate(
    *,
    subject: x509.Name,
    public_key: PrivateKey,
    issuer: x509.Certificate | None,
    issuer_key: PrivateKey,
    not_before: datetime,
    not_after: datetime,
    ca_path_length: int | None,
    is_ca: bool,
) -> x509.Certificate:
    public = public_key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=ca_path_length), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
    )
    authority = issuer_key.public_key()
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(authority), critical=False
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=is_ca,
        crl_sign=is_ca,
        encipher_only=False,
        decipher_only=False,
    )
    builder = builder.add_extension(usage, critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _pkcs8(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _service_account(key: rsa.RSAPrivateKey) -> bytes:
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fingerprint = hashlib.sha256(public_der).hexdigest()
    account = {
        "type": "service_account",
        "project_id": "passkit-dev",
        "private_key_id": fingerprint[:40],
        "private_key": _pkcs8(key).decode("ascii"),
        "client_email": SERVICE_ACCOUNT_EMAIL,
        "client_id": str(10**20 + int(fingerprint[40:], 16) % 10**20),
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": "https://oauth2.googleapis.com/token",
        "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
        "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/"
        + SERVICE_ACCOUNT_EMAIL.replace("@", "%40"),
        "universe_domain": "googleapis.com",
        "_comment": "DEVELOPMENT ONLY: this service account does not exist; Google rejects it.",
    }
    return (json.dumps(account, indent=2) + "\n").encode("utf-8")


def make_dev_chain(
    *,
    pass_type_id: str = DEFAULT_PASS_TYPE_ID,
    team_id: str = DEFAULT_TEAM_ID,
    valid_from: datetime | date | None = None,
    valid_until: datetime | date | None = None,
    wwdr_valid_until: datetime | date | None = None,
    key_type: KeyType = "rsa",
) -> DevChain:
    """Make a root CA, a WWDR-like intermediate, a pass type certificate and a service account.

    The pass certificate has Apple's subject layout (UID = pass type id, OU = team id, CN "Pass
    Type ID: ..."). The pass certificate and the intermediate are valid from `valid_from` to
    `valid_until` (`validity_window`: by default from years before to years after today); the
    intermediate may end elsewhere (`wwdr_valid_until`). `key_type` chooses RSA-2048 or EC
    P-256 for the pass certificate (the CAs are RSA-2048).
    """
    start, end = validity_window(valid_from, valid_until)
    wwdr_end = end if wwdr_valid_until is None else _utc(wwdr_valid_until)
    root_key = _new_key("rsa")
    wwdr_key = _new_key("rsa")
    pass_key = _new_key(key_type)
    account_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    root = _certificate(
        subject=_name(ROOT_NAME),
        public_key=root_key,
        issuer=None,
        issuer_key=root_key,
        not_before=start,
        not_after=max(end, wwdr_end) + _ROOT_MARGIN,
        ca_path_length=1,
        is_ca=True,
    )
    wwdr = _certificate(
        subject=_name(WWDR_NAME, unit="G4-DEV"),
        public_key=wwdr_key,
        issuer=root,
        issuer_key=root_key,
        not_before=start,
        not_after=wwdr_end,
        ca_path_length=0,
        is_ca=True,
    )
    pass_certificate = _certificate(
        subject=_name(f"Pass Type ID: {pass_type_id}", unit=team_id, user_id=pass_type_id),
        public_key=pass_key,
        issuer=wwdr,
        issuer_key=wwdr_key,
        not_before=start,
        not_after=end,
        ca_path_length=None,
        is_ca=False,
    )
    return DevChain(
        root_pem=_pem(root),
        wwdr_pem=_pem(wwdr),
        pass_certificate_pem=_pem(pass_certificate),
        pass_key_pem=_pkcs8(pass_key),
        google_service_account_json=_service_account(account_key),
        pass_type_id=pass_type_id,
        team_id=team_id,
        wwdr_key_pem=_pkcs8(wwdr_key),
    )


@dataclass(frozen=True)
class TlsServerChain:
    """A throwaway CA and a server certificate it issued for 127.0.0.1 and localhost (PEM),
    for local HTTPS and HTTP/2 test servers."""

    ca_pem: bytes
    certificate_pem: bytes
    key_pem: bytes


def make_tls_server_chain(*, valid_days: int = 2) -> TlsServerChain:
    """A CA and a server certificate for 127.0.0.1 (EC P-256: quick to make)."""
    # Back-dated a little, for a client whose clock runs behind.
    start = datetime.now(UTC) - timedelta(hours=1)
    ca_key = _new_key("ec")
    server_key = _new_key("ec")
    ca = _certificate(
        subject=_name("passkit DEVELOPMENT test server CA - not trusted anywhere else"),
        public_key=ca_key,
        issuer=None,
        issuer_key=ca_key,
        not_before=start,
        not_after=start + timedelta(days=valid_days),
        ca_path_length=0,
        is_ca=True,
    )
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    server = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return TlsServerChain(_pem(ca), _pem(server), _pkcs8(server_key))


def _readme(chain: DevChain) -> bytes:
    return f"""\
!!! DEVELOPMENT CERTIFICATES - NOT ACCEPTED BY REAL DEVICES OR BY GOOGLE !!!

{WARNING}

These files were written by `passkit certs dev`. The root and the "WWDR" intermediate were
made on this machine; Apple did not issue them. Use them to build and verify passes in
development and in tests, never to issue passes to people.

  root.pem                     self-signed development root (verify signatures against it)
  wwdr.pem                     WWDR-like intermediate that issued the pass certificate
  pass-cert.pem                pass type certificate: UID {chain.pass_type_id}, OU {chain.team_id}
  pass-key.pem                 its private key (unencrypted)
  pass.p12                     certificate, key and intermediate; password "{P12_PASSWORD}"
  google-service-account.json  Google-style service account key (the account does not exist)

To sign with them:

  export PASSKIT_APPLE_CERT=pass-cert.pem PASSKIT_APPLE_KEY=pass-key.pem PASSKIT_WWDR=wwdr.pem

To check a signature:

  openssl cms -verify -binary -inform DER -in signature -content manifest.json \\
      -CAfile root.pem -purpose any

For real passes, use your Pass Type ID certificate from the Apple Developer portal and Apple's
WWDR G4 intermediate (passkit ships it and uses it by default).
""".encode()


def write_dev_certificates(
    directory: str | Path,
    *,
    force: bool = False,
    pass_type_id: str = DEFAULT_PASS_TYPE_ID,
    team_id: str = DEFAULT_TEAM_ID,
    valid_from: datetime | date | None = None,
    valid_until: datetime | date | None = None,
    key_type: KeyType = "rsa",
) -> DevCertificates:
    """Write a fresh development chain into `directory` (see `make_dev_chain` for the
    validity window).

    Refuses to replace existing files unless `force`; each file is written atomically and the
    private keys are readable by their owner only.
    """
    directory = Path(directory)
    result = DevCertificates(
        directory=directory,
        root=directory / "root.pem",
        wwdr=directory / "wwdr.pem",
        pass_certificate=directory / "pass-cert.pem",
        pass_key=directory / "pass-key.pem",
        pass_p12=directory / "pass.p12",
        google_service_account=directory / "google-service-account.json",
        readme=directory / "README.txt",
        p12_password=P12_PASSWORD,
        pass_type_id=pass_type_id,
        team_id=team_id,
    )
    if directory.exists() and not directory.is_dir():
        raise PasskitError(f"'{directory}' exists and is not a directory: choose another path")
    existing = [path.name for path in result.files if path.exists()]
    if existing and not force:
        raise PasskitError(
            f"'{directory}' already holds {', '.join(existing)}: choose another directory, "
            "or replace them with --force"
        )
    chain = make_dev_chain(
        pass_type_id=pass_type_id,
        team_id=team_id,
        valid_from=valid_from,
        valid_until=valid_until,
        key_type=key_type,
    )
    contents: list[tuple[Path, bytes, int]] = [
        (result.root, chain.root_pem, 0o644),
        (result.wwdr, chain.wwdr_pem, 0o644),
        (result.pass_certificate, chain.pass_certificate_pem, 0o644),
        (result.pass_key, chain.pass_key_pem, 0o600),
        (result.pass_p12, chain.pkcs12(P12_PASSWORD), 0o600),
        (result.google_service_account, chain.google_service_account_json, 0o600),
        (result.readme, _readme(chain), 0o644),
    ]
    for path, data, mode in contents:
        atomic_write(path, data, mode=mode)
    return result
