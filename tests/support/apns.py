"""Test support for APNs pushes: push tokens, quick retries, clients and raw HTTP/2 requests."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from passkit.apple.signing import AppleSigner
from passkit.service.apns import ApnsClient, CertificateAuth, RetryPolicy
from passkit.testing.apns import ApnsStandIn

# Retries a few milliseconds apart, so that tests of retrying stay quick.
QUICK = RetryPolicy(attempts=4, first_delay=0.01, max_delay=0.05, budget=5.0)


_clients: list[ApnsClient] = []


def track(client: ApnsClient) -> ApnsClient:
    """`client`, closed after the test (its sync calls keep a loop thread and a connection)."""
    _clients.append(client)
    return client


@pytest.fixture(autouse=True)
def close_apns_clients() -> Iterator[None]:
    """Import into a test module to close every tracked client after each test."""
    yield
    while _clients:
        _clients.pop().close()


def tokens(count: int, start: int = 0) -> list[str]:
    """Distinct push tokens of APNs's shape (64 hex digits)."""
    return [f"{index:064x}" for index in range(start, start + count)]


def certificate_client(stand_in: ApnsStandIn, signer: AppleSigner, **options: Any) -> ApnsClient:
    options.setdefault("retry", QUICK)
    auth = CertificateAuth.from_signer(signer)
    return track(ApnsClient(auth, url=stand_in.url, ca_file=stand_in.ca_file, **options))


def raw_context(stand_in: ApnsStandIn, signer: AppleSigner | None) -> ssl.SSLContext:
    """TLS settings trusting the stand-in, with the signer's certificate as client certificate."""
    context = ssl.create_default_context(cafile=str(stand_in.ca_file))
    if signer is not None:
        CertificateAuth.from_signer(signer).load_into(context)
    return context


def raw_push(
    stand_in: ApnsStandIn,
    signer: AppleSigner | None,
    path: str,
    *,
    method: str = "POST",
    body: bytes = b"{}",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """One request made with plain httpx over HTTP/2, not with passkit's client."""
    with httpx.Client(
        http1=False, http2=True, verify=raw_context(stand_in, signer), trust_env=False
    ) as http:
        response = http.request(
            method, f"{stand_in.url}{path}", content=body, headers=headers or {}
        )
        assert response.http_version == "HTTP/2"
        return response
