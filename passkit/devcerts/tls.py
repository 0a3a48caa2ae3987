"""A throwaway TLS chain for local HTTPS and HTTP/2 test servers on 127.0.0.1."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID

from passkit.devcerts.issuing import issue_certificate, new_key, pem, pkcs8, subject_name


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
    ca_key = new_key("ec")
    server_key = new_key("ec")
    ca = issue_certificate(
        subject=subject_name("passkit DEVELOPMENT test server CA - not trusted anywhere else"),
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
        .subject_name(subject_name("127.0.0.1"))
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
    return TlsServerChain(pem(ca), pem(server), pkcs8(server_key))
