"""The development Apple chain: a root, a WWDR-like intermediate and a Pass Type ID
certificate with its key, valid over a chosen window, and a Google-style service account.

Real devices and Google reject them: the root is made here, not by Apple, and the service
account does not exist. Every name says so.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from passkit.apple.signing import AppleSigner
from passkit.devcerts.issuing import (
    KeyType,
    PrivateKey,
    issue_certificate,
    new_key,
    pem,
    pkcs8,
    subject_name,
)
from passkit.errors import PasskitError

DEFAULT_PASS_TYPE_ID = "pass.dev.passkit.example"
DEFAULT_TEAM_ID = "PASSKITDEV"
P12_PASSWORD = "passkit-dev"
ROOT_NAME = "passkit DEVELOPMENT Root CA - not accepted by real devices"
WWDR_NAME = "passkit DEVELOPMENT WWDR - not accepted by real devices"
SERVICE_ACCOUNT_EMAIL = "passkit-dev@passkit-dev.iam.gserviceaccount.com"

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


def _service_account(key: rsa.RSAPrivateKey) -> bytes:
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    fingerprint = hashlib.sha256(public_der).hexdigest()
    account = {
        "type": "service_account",
        "project_id": "passkit-dev",
        "private_key_id": fingerprint[:40],
        "private_key": pkcs8(key).decode("ascii"),
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


def _authority(
    subject: x509.Name,
    not_before: datetime,
    not_after: datetime,
    path_length: int,
    issuer: tuple[x509.Certificate, PrivateKey] | None = None,
) -> tuple[x509.Certificate, PrivateKey]:
    """A development CA and its key: the root (self-signed) or the intermediate `issuer`
    issues."""
    key = new_key("rsa")
    certificate = issue_certificate(
        subject=subject,
        public_key=key,
        issuer=issuer[0] if issuer else None,
        issuer_key=issuer[1] if issuer else key,
        not_before=not_before,
        not_after=not_after,
        ca_path_length=path_length,
        is_ca=True,
    )
    return certificate, key


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
    root_end = max(end, wwdr_end) + _ROOT_MARGIN
    root, root_key = _authority(subject_name(ROOT_NAME), start, root_end, 1)
    wwdr_subject = subject_name(WWDR_NAME, unit="G4-DEV")
    wwdr, wwdr_key = _authority(wwdr_subject, start, wwdr_end, 0, issuer=(root, root_key))
    pass_key = new_key(key_type)
    pass_certificate = issue_certificate(
        subject=subject_name(f"Pass Type ID: {pass_type_id}", unit=team_id, user_id=pass_type_id),
        public_key=pass_key,
        issuer=wwdr,
        issuer_key=wwdr_key,
        not_before=start,
        not_after=end,
        ca_path_length=None,
        is_ca=False,
    )
    account_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return DevChain(
        root_pem=pem(root),
        wwdr_pem=pem(wwdr),
        pass_certificate_pem=pem(pass_certificate),
        pass_key_pem=pkcs8(pass_key),
        google_service_account_json=_service_account(account_key),
        pass_type_id=pass_type_id,
        team_id=team_id,
        wwdr_key_pem=pkcs8(wwdr_key),
    )
