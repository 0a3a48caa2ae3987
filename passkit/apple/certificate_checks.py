"""What is checked about a pass certificate, and the message for each problem: that the key
is the certificate's and signs verifiably, that the certificate is a Pass Type ID certificate
issued by the WWDR intermediate, that both are valid at the time passes are signed, and which
expire soon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NoReturn

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from passkit.apple.credentials import SigningKey
from passkit.environment import ENV_WWDR
from passkit.errors import SigningError
from passkit.keys import signs_verifiably

# Warn this long before a certificate expires: long enough to get a new one from Apple.
EXPIRY_WARNING = timedelta(days=30)


def public_der(key: SigningKey | x509.Certificate) -> bytes:
    public = key.public_key()
    return public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def check_signs(key: SigningKey, certificate: x509.Certificate, certificate_name: str) -> None:
    """Raise unless a signature of `key` verifies with `certificate` (a damaged key's does not:
    its private parts no longer fit its public part)."""
    if not signs_verifiably(key, certificate.public_key()):
        raise SigningError(
            f"the private key for the pass certificate {describe(certificate)}"
            f" ({certificate_name}) is damaged: its signatures do not verify with the"
            " certificate; export the key again from where it was created"
        )


def check_key(key: SigningKey, certificate: x509.Certificate, certificate_name: str) -> None:
    """Raise unless `key` is the private key of `certificate`, and a sound one."""
    if public_der(key) != public_der(certificate):
        raise SigningError(
            f"the private key does not match the pass certificate {describe(certificate)}"
            f" ({certificate_name}): give the key that was created with this certificate's"
            " signing request, or the certificate issued for this key"
        )
    check_signs(key, certificate, certificate_name)


def pass_type_and_team(certificate: x509.Certificate, certificate_name: str) -> tuple[str, str]:
    """The pass type id (UID) and team id (OU) a Pass Type ID certificate names; a certificate
    without them is not one."""
    pass_type_id = name_attribute(certificate, NameOID.USER_ID)
    team_id = name_attribute(certificate, NameOID.ORGANIZATIONAL_UNIT_NAME)
    if pass_type_id and team_id:
        return pass_type_id, team_id
    missing = " and ".join(
        label
        for label, value in (("UID (pass type id)", pass_type_id), ("OU (team id)", team_id))
        if not value
    )
    raise SigningError(
        f"{certificate_name} {describe(certificate)} has no {missing} in its subject:"
        " it is not a Pass Type ID certificate; create one in the Apple Developer portal"
        " under Certificates, Identifiers & Profiles > Identifiers > Pass Type IDs"
    )


def other_pass_type(certificate: x509.Certificate, own: str, wanted: str) -> SigningError:
    """The error for a pass whose pass type id is not the certificate's."""
    return SigningError(
        f"the pass type identifier '{wanted}' differs from the certificate's"
        f" '{own}' (UID of {describe(certificate)}): sign with the certificate issued"
        f" for '{wanted}', or use '{own}' as the pass type identifier"
    )


def other_team(certificate: x509.Certificate, own: str, wanted: str) -> SigningError:
    """The error for a pass whose team id is not the certificate's."""
    return SigningError(
        f"the team identifier '{wanted}' differs from the certificate's"
        f" '{own}' (OU of {describe(certificate)}): use '{own}', or sign with a"
        f" certificate of team '{wanted}'"
    )


def name_attribute(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str | None:
    values = certificate.subject.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def describe(certificate: x509.Certificate) -> str:
    common_name = name_attribute(certificate, NameOID.COMMON_NAME)
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


def expiry_warning(what: str, certificate: x509.Certificate, now: datetime) -> str | None:
    not_after = certificate.not_valid_after_utc
    if now < not_after <= now + EXPIRY_WARNING:
        days = (not_after - now).days
        return f"the {what} expires on {not_after:%Y-%m-%d} (in {days} days)"
    return None


def check_issued_by(
    certificate: x509.Certificate, wwdr: x509.Certificate, certificate_name: str, wwdr_name: str
) -> None:
    fix = (
        "use Apple's WWDR G4 intermediate (the default when no WWDR is given) or give the"
        " intermediate certificate that issued your pass certificate (the"
        f" {ENV_WWDR} environment variable, or --wwdr)"
    )
    if certificate.issuer != wwdr.subject:
        raise SigningError(
            f"the pass certificate {describe(certificate)} ({certificate_name}) was issued by"
            f" '{_name(certificate.issuer)}', not by the WWDR certificate"
            f" '{_name(wwdr.subject)}' ({wwdr_name}): {fix}"
        )
    try:
        certificate.verify_directly_issued_by(wwdr)
    except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
        raise SigningError(
            f"the pass certificate {describe(certificate)} ({certificate_name}) names"
            f" '{_name(wwdr.subject)}' as issuer but its signature does not verify"
            f" with the WWDR certificate ({wwdr_name}): {fix}"
        ) from None


def explain_validity(
    certificate: x509.Certificate, wwdr: x509.Certificate, moment: datetime
) -> NoReturn:
    subject = describe(certificate)
    not_before = certificate.not_valid_before_utc
    not_after = certificate.not_valid_after_utc
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
    wwdr_expiry = wwdr.not_valid_after_utc
    if moment > wwdr_expiry:
        raise SigningError(
            f"the WWDR certificate {describe(wwdr)} expired on {_when(wwdr_expiry)}"
            f" (passes are signed at {_when(moment)}): download the current intermediate "
            f"from https://www.apple.com/certificateauthority/ and give it with --wwdr or "
            f"{ENV_WWDR}"
        )
    raise SigningError(
        f"the WWDR certificate {describe(wwdr)} is not valid before"
        f" {_when(wwdr.not_valid_before_utc)} (passes are signed at {_when(moment)}):"
        f" check that time (the clock, or a fixed time given to the build); {_WIDER_WINDOW}"
    )
