"""What each APNs answer means, the endpoint setting, and the certificate identity's secrecy."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates
from passkit.errors import ApnsRefusedError, PasskitError
from passkit.service.apns import PRODUCTION_URL, SANDBOX_URL, ApnsClient, endpoint_url
from passkit.service.apns_answers import PushOutcome, classify, read_reason, refusal
from passkit.service.apns_auth import CertificateAuth
from tests.support.apns import (
    close_apns_clients,  # noqa: F401  (autouse: closes clients)
    track,
)


@pytest.mark.parametrize(
    ("status", "reason", "outcome"),
    [
        (200, None, PushOutcome.DELIVERED),
        (410, "Unregistered", PushOutcome.UNREGISTERED),
        (410, "ExpiredToken", PushOutcome.UNREGISTERED),
        (400, "BadDeviceToken", PushOutcome.BAD_TOKEN),
        (400, "DeviceTokenNotForTopic", PushOutcome.BAD_TOKEN),
        (429, "TooManyRequests", PushOutcome.RETRY_LATER),
        (429, "TooManyProviderTokenUpdates", PushOutcome.RETRY_LATER),
        (500, "InternalServerError", PushOutcome.RETRY_LATER),
        (503, "ServiceUnavailable", PushOutcome.RETRY_LATER),
        (502, None, PushOutcome.RETRY_LATER),
        (403, "BadCertificate", None),
        (403, "InvalidProviderToken", None),
        (400, "TopicDisallowed", None),
        (400, "PayloadEmpty", None),
        (404, "BadPath", None),
        (413, "PayloadTooLarge", None),
    ],
)
def test_each_answer_is_sorted(status: int, reason: str | None, outcome: PushOutcome) -> None:
    assert classify(status, reason) is outcome


def test_only_gone_and_bad_tokens_drop_their_registration() -> None:
    drops = {outcome for outcome in PushOutcome if outcome.drops_registration}
    assert drops == {PushOutcome.UNREGISTERED, PushOutcome.BAD_TOKEN}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"reason": "BadDeviceToken"}', "BadDeviceToken"),
        (b'{"reason": "Unregistered", "timestamp": 1700000000000}', "Unregistered"),
        (b'{"reason": "Bad\\nCertificate"}', None),  # never more than letters
        (b'{"reason": "' + b"A" * 65 + b'"}', None),
        (b'{"reason": 3}', None),
        (b"[]", None),
        (b"<html>busy</html>", None),
        (b"", None),
        (b'{"reason": "BadDeviceToken", "pad": "' + b" " * 5000 + b'"}', None),
    ],
)
def test_the_reason_is_read_bounded_and_plain(body: bytes, reason: str | None) -> None:
    assert read_reason(body) == reason


def test_a_refusal_names_the_pass_type_the_answer_and_the_fix() -> None:
    error = refusal("pass.com.example", 403, "BadCertificateEnvironment", PRODUCTION_URL)
    assert isinstance(error, PasskitError)
    text = str(error)
    assert "pass.com.example" in text and "403" in text and "BadCertificateEnvironment" in text
    assert "production" in text and "PASSKIT_APNS_URL" in text
    unknown = refusal("pass.com.example", 400, "BadExpirationDate", PRODUCTION_URL)
    assert "please report it" in str(unknown)


@pytest.mark.parametrize(
    ("setting", "url"),
    [
        (None, PRODUCTION_URL),
        ("", PRODUCTION_URL),
        ("production", PRODUCTION_URL),
        ("Sandbox", SANDBOX_URL),
        ("https://127.0.0.1:8443/", "https://127.0.0.1:8443"),
    ],
)
def test_the_endpoint_is_named_or_given(setting: str | None, url: str) -> None:
    assert endpoint_url(setting) == url


@pytest.mark.parametrize(
    "setting",
    ["http://127.0.0.1:8443", "api.push.apple.com", "https://host/3/device", "prod"],
)
def test_an_endpoint_that_is_not_one_is_refused(setting: str) -> None:
    with pytest.raises(ApnsRefusedError, match="PASSKIT_APNS_URL"):
        endpoint_url(setting)


def test_the_certificate_identity_never_holds_the_key_in_the_clear(
    dev_signer: AppleSigner,
) -> None:
    auth = CertificateAuth.from_signer(dev_signer)
    assert auth.topic == dev_signer.pass_type_id
    assert b"ENCRYPTED PRIVATE KEY" in auth.identity_pem
    assert b"-----BEGIN PRIVATE KEY" not in auth.identity_pem
    assert auth.identity_pem.count(b"BEGIN CERTIFICATE") == 2  # the pass cert and the WWDR
    key = serialization.load_pem_private_key(
        auth.identity_pem[auth.identity_pem.index(b"-----BEGIN ENCRYPTED") :], auth.password
    )
    assert key.public_key().public_numbers() == (  # type: ignore[union-attr]
        dev_signer.certificate.public_key().public_numbers()  # type: ignore[union-attr]
    )
    assert repr(auth.password) not in repr(auth) and "identity_pem" not in repr(auth)


def test_the_client_takes_the_signing_certificate_from_the_environment(
    dev_certs: DevCertificates, tmp_path: Path
) -> None:
    environ = {
        "PASSKIT_APPLE_CERT": str(dev_certs.pass_certificate),
        "PASSKIT_APPLE_KEY": str(dev_certs.pass_key),
        "PASSKIT_WWDR": str(dev_certs.wwdr),
        "PASSKIT_APNS_URL": "sandbox",
    }
    client = ApnsClient.from_env(environ)
    assert client.url == SANDBOX_URL
    missing_ca = track(
        ApnsClient.from_env({**environ, "PASSKIT_APNS_CA_FILE": str(tmp_path / "no")})
    )
    with pytest.raises(ApnsRefusedError, match="PASSKIT_APNS_CA_FILE"):
        missing_ca.send_many_sync(dev_certs.pass_type_id, ["0" * 64])
    # The identity's temporary file is gone as soon as TLS has read it.
    assert list(Path(tempfile.gettempdir()).glob("passkit-apns-*.pem")) == []


def test_importing_the_client_and_the_stand_in_opens_nothing() -> None:
    code = (
        "import sys, passkit.testing, passkit.service.apns;"
        "print(sorted(m for m in ('h2', 'passkit.testing.apns') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The client needs h2 only once it connects; the stand-in is imported when asked for.
    assert done.stdout.strip() == "[]"
