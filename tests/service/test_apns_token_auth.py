"""Pushing with a token key (.p8): ES256 provider tokens, checked by a second JWT library."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt as jose_jwt
from joserfc.jwk import ECKey

from passkit.devcerts import DevCertificates
from passkit.errors import ApnsRefusedError, SigningError
from passkit.service.apns import ApnsClient, PushOutcome
from passkit.service.apns_auth import TOKEN_LIFETIME, TokenAuth
from passkit.testing.apns import ApnsStandIn
from tests.support.apns import (
    QUICK,
    certificate_client,
    close_apns_clients,  # noqa: F401  (autouse: closes clients)
    raw_push,
    tokens,
    track,
)

KEY_ID = "K3Y1D00001"
TEAM_ID = "T3AM000001"
TOPIC = "pass.com.example.tokens"


@pytest.fixture(scope="module")
def key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture
def stand_in(key: ec.EllipticCurvePrivateKey) -> Iterator[ApnsStandIn]:
    with ApnsStandIn(token_keys={KEY_ID: (TEAM_ID, key.public_key())}, topics=[TOPIC]) as apns:
        yield apns


def client_for(stand_in: ApnsStandIn, auth: TokenAuth) -> ApnsClient:
    return track(ApnsClient(auth, url=stand_in.url, ca_file=stand_in.ca_file, retry=QUICK))


def bearer_of(push_headers: object) -> str:
    assert isinstance(push_headers, dict)
    scheme, _, token = push_headers["authorization"].partition(" ")
    assert scheme == "bearer"
    return token


def test_a_provider_token_is_accepted_and_verifies_with_a_second_jwt_library(
    stand_in: ApnsStandIn, key: ec.EllipticCurvePrivateKey
) -> None:
    auth = TokenAuth(key, key_id=KEY_ID, team_id=TEAM_ID)
    results = client_for(stand_in, auth).send_many_sync(TOPIC, tokens(3))
    assert [r.outcome for r in results] == [PushOutcome.DELIVERED] * 3
    bearers = {bearer_of(push.headers) for push in stand_in.pushes}
    assert len(bearers) == 1  # one token for every push, not one each
    public = ECKey.import_key(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    decoded = jose_jwt.decode(bearers.pop(), public, algorithms=["ES256"])
    assert decoded.header == {"alg": "ES256", "kid": KEY_ID, "typ": "JWT"}
    assert decoded.claims["iss"] == TEAM_ID
    assert abs(decoded.claims["iat"] - time.time()) < 60
    assert set(decoded.claims) == {"iss", "iat"}


def test_the_token_is_kept_then_renewed_before_apns_stops_accepting_it(
    key: ec.EllipticCurvePrivateKey,
) -> None:
    now = [1_800_000_000.0]
    auth = TokenAuth(key, key_id=KEY_ID, team_id=TEAM_ID, clock=lambda: now[0])
    first = auth.bearer()
    now[0] += 20 * 60
    assert auth.bearer() == first  # APNs refuses tokens renewed more often than every 20 min
    now[0] = 1_800_000_000.0 + TOKEN_LIFETIME
    renewed = auth.bearer()
    assert renewed != first
    claims = jose_jwt.decode(renewed, ECKey.import_key(key), algorithms=["ES256"]).claims
    assert claims["iat"] == int(now[0])
    assert TOKEN_LIFETIME < 60 * 60  # APNs refuses tokens older than an hour


def test_an_expired_token_is_renewed_once_and_the_push_goes_through(
    stand_in: ApnsStandIn, key: ec.EllipticCurvePrivateKey
) -> None:
    times = [time.time() - 2 * 3600]  # the first token is made two hours in the past
    clock: Callable[[], float] = lambda: times.pop(0) if times else time.time()  # noqa: E731
    auth = TokenAuth(key, key_id=KEY_ID, team_id=TEAM_ID, clock=clock)
    [result] = client_for(stand_in, auth).send_many_sync(TOPIC, tokens(1))
    assert (result.outcome, result.attempts) == (PushOutcome.DELIVERED, 2)
    expired, accepted = stand_in.pushes
    assert (expired.status, expired.reason) == (403, "ExpiredProviderToken")
    assert accepted.status == 200
    assert bearer_of(expired.headers) != bearer_of(accepted.headers)


def test_a_token_from_another_key_stops_the_sender_without_showing_the_token(
    stand_in: ApnsStandIn,
) -> None:
    stranger = TokenAuth(ec.generate_private_key(ec.SECP256R1()), key_id=KEY_ID, team_id=TEAM_ID)
    with pytest.raises(ApnsRefusedError) as refused:
        client_for(stand_in, stranger).send_many_sync(TOPIC, tokens(5))
    error = refused.value
    assert (error.status, error.reason) == (403, "InvalidProviderToken")
    assert "PASSKIT_APNS_KEY_FILE" in str(error) and "team" in str(error)
    assert stranger.bearer() not in str(error)
    assert len(stand_in.pushes) == 1  # one refusal, then nothing more


def test_a_token_of_another_team_is_refused(
    stand_in: ApnsStandIn, key: ec.EllipticCurvePrivateKey
) -> None:
    auth = TokenAuth(key, key_id=KEY_ID, team_id="OTHERTEAM1")
    with pytest.raises(ApnsRefusedError, match="InvalidProviderToken"):
        client_for(stand_in, auth).send_many_sync(TOPIC, tokens(1))


def test_a_topic_the_team_may_not_push_to_is_refused(
    stand_in: ApnsStandIn, key: ec.EllipticCurvePrivateKey
) -> None:
    auth = TokenAuth(key, key_id=KEY_ID, team_id=TEAM_ID)
    with pytest.raises(ApnsRefusedError, match="TopicDisallowed") as refused:
        client_for(stand_in, auth).send_many_sync("pass.com.example.someone-else", tokens(1))
    assert refused.value.topic == "pass.com.example.someone-else"


def test_a_push_with_no_credentials_at_all_is_refused(stand_in: ApnsStandIn) -> None:
    path = f"/3/device/{tokens(1)[0]}"
    response = raw_push(stand_in, None, path, headers={"apns-topic": TOPIC})
    assert (response.status_code, response.json()) == (403, {"reason": "MissingProviderToken"})


def test_the_key_is_read_from_a_p8_file_named_by_the_environment(
    tmp_path: Path, key: ec.EllipticCurvePrivateKey, stand_in: ApnsStandIn
) -> None:
    p8 = tmp_path / f"AuthKey_{KEY_ID}.p8"
    p8.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    environ = {
        "PASSKIT_APNS_KEY_FILE": str(p8),
        "PASSKIT_APNS_KEY_ID": KEY_ID,
        "PASSKIT_APNS_TEAM_ID": TEAM_ID,
        "PASSKIT_APNS_URL": stand_in.url,
        "PASSKIT_APNS_CA_FILE": str(stand_in.ca_file),
    }
    client = track(ApnsClient.from_env(environ, retry=QUICK))
    assert [r.outcome for r in client.send_many_sync(TOPIC, tokens(2))] == [
        PushOutcome.DELIVERED
    ] * 2
    with pytest.raises(SigningError, match="PASSKIT_APNS_TEAM_ID"):
        TokenAuth.from_env({**environ, "PASSKIT_APNS_TEAM_ID": ""})
    assert TokenAuth.from_env({}) is None


def test_keys_that_are_not_apns_keys_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SigningError, match="curve secp384r1"):
        TokenAuth(ec.generate_private_key(ec.SECP384R1()), key_id=KEY_ID, team_id=TEAM_ID)
    with pytest.raises(SigningError, match="key id"):
        TokenAuth(ec.generate_private_key(ec.SECP256R1()), key_id="", team_id=TEAM_ID)
    broken = tmp_path / "AuthKey.p8"
    broken.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    with pytest.raises(SigningError, match=r"not a readable \.p8 key"):
        TokenAuth.from_p8(broken, key_id=KEY_ID, team_id=TEAM_ID)
    auth = TokenAuth(ec.generate_private_key(ec.SECP256R1()), key_id=KEY_ID, team_id=TEAM_ID)
    assert auth.bearer() not in repr(auth) and KEY_ID in repr(auth)


def test_a_stand_in_can_take_certificates_and_tokens_at_once(
    key: ec.EllipticCurvePrivateKey, passkit_dev_certificates: DevCertificates
) -> None:
    signer = passkit_dev_certificates.signer()
    with ApnsStandIn(
        client_ca=passkit_dev_certificates.root, token_keys={KEY_ID: (TEAM_ID, key)}
    ) as apns:
        by_token = client_for(apns, TokenAuth(key, key_id=KEY_ID, team_id=TEAM_ID))
        by_certificate = certificate_client(apns, signer)
        assert by_token.send_many_sync(TOPIC, tokens(1))[0].outcome is PushOutcome.DELIVERED
        [result] = by_certificate.send_many_sync(signer.pass_type_id, tokens(1, 7))
        assert result.outcome is PushOutcome.DELIVERED
        # A certificate allows its own pass type only, even where tokens may push to others.
        path = f"/3/device/{tokens(1)[0]}"
        refused = raw_push(apns, signer, path, headers={"apns-topic": TOPIC})
        assert (refused.status_code, refused.json()["reason"]) == (400, "TopicDisallowed")
    assert ["authorization" in push.headers for push in apns.pushes] == [True, False, False]
