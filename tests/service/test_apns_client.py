"""The APNs client against the stand-in, over real TLS and HTTP/2: what each answer does."""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import time

import pytest

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates, make_dev_chain
from passkit.errors import ApnsRefusedError
from passkit.service.apns import ApnsClient, CertificateAuth, PushOutcome, RetryPolicy
from passkit.testing.apns import ApnsAnswer, ApnsStandIn
from tests.support.apns import (
    QUICK,
    certificate_client,
    close_apns_clients,  # noqa: F401  (autouse: closes clients)
    tokens,
    track,
)


def test_a_push_is_delivered_with_the_headers_and_payload_wallet_expects(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    [token] = tokens(1)
    [result] = certificate_client(apns_stand_in, passkit_dev_signer).send_many_sync(
        passkit_dev_signer.pass_type_id, [token]
    )
    assert (result.outcome, result.status, result.attempts) == (PushOutcome.DELIVERED, 200, 1)
    [push] = apns_stand_in.pushes
    assert push.token == token and push.topic == passkit_dev_signer.pass_type_id
    assert push.payload == b"{}"
    assert push.headers[":path"] == f"/3/device/{token}"
    assert push.headers["apns-push-type"] == "background"
    assert push.headers["apns-priority"] == "5"
    assert "authorization" not in push.headers  # the certificate is the credential


def test_each_answer_gives_its_token_an_outcome(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    delivered, gone, bad, busy, failing = tokens(5)
    apns_stand_in.answer(gone, 410)
    apns_stand_in.answer(bad, 400)  # BadDeviceToken
    apns_stand_in.answer(busy, 429, 429, 200)
    apns_stand_in.answer(failing, 500, 503, 200)
    batch = [delivered, gone, bad, busy, failing]
    results = certificate_client(apns_stand_in, passkit_dev_signer).send_many_sync(
        passkit_dev_signer.pass_type_id, batch
    )
    assert [r.token for r in results] == batch
    assert [(r.outcome, r.reason, r.attempts) for r in results] == [
        (PushOutcome.DELIVERED, None, 1),
        (PushOutcome.UNREGISTERED, "Unregistered", 1),
        (PushOutcome.BAD_TOKEN, "BadDeviceToken", 1),
        (PushOutcome.DELIVERED, None, 3),
        (PushOutcome.DELIVERED, None, 3),
    ]
    assert [r.outcome.drops_registration for r in results] == [False, True, True, False, False]
    assert len(apns_stand_in.pushes) == 1 + 1 + 1 + 3 + 3


def test_a_token_still_refused_after_its_attempts_is_left_for_later(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    [token] = tokens(1)
    apns_stand_in.answer(token, *[500] * 10)
    retry = RetryPolicy(attempts=3, first_delay=0.01, max_delay=0.02)
    client = certificate_client(apns_stand_in, passkit_dev_signer, retry=retry)
    [result] = client.send_many_sync(passkit_dev_signer.pass_type_id, [token])
    assert (result.outcome, result.status, result.attempts) == (PushOutcome.RETRY_LATER, 500, 3)
    assert len(apns_stand_in.pushes) == 3


def test_a_token_that_is_not_an_apns_token_is_not_sent(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    android = "fcm:APA91bH-not-an-apple-token"
    short = "abcdef0123"
    [good] = tokens(1)
    results = certificate_client(apns_stand_in, passkit_dev_signer).send_many_sync(
        passkit_dev_signer.pass_type_id, [android, good, short]
    )
    assert [(r.outcome, r.attempts) for r in results] == [
        (PushOutcome.BAD_TOKEN, 0),
        (PushOutcome.DELIVERED, 1),
        (PushOutcome.BAD_TOKEN, 0),
    ]
    assert [push.token for push in apns_stand_in.pushes] == [good]


def test_a_token_given_twice_is_pushed_once(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    [token] = tokens(1, start=0xABC)
    results = certificate_client(apns_stand_in, passkit_dev_signer).send_many_sync(
        passkit_dev_signer.pass_type_id, [token, token.upper(), token]
    )
    assert [r.outcome for r in results] == [PushOutcome.DELIVERED] * 3
    assert [r.token for r in results] == [token, token.upper(), token]
    assert len(apns_stand_in.pushes) == 1


@pytest.mark.parametrize("reason", ["BadCertificate", "BadCertificateEnvironment", "Forbidden"])
def test_a_refused_certificate_stops_the_batch_with_one_clear_error(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner, reason: str
) -> None:
    apns_stand_in.answer_next(*[ApnsAnswer(403, reason)] * 200)
    client = certificate_client(apns_stand_in, passkit_dev_signer, max_streams=4)
    with pytest.raises(ApnsRefusedError) as refused:
        client.send_many_sync(passkit_dev_signer.pass_type_id, tokens(100))
    error = refused.value
    assert (error.status, error.reason, error.topic) == (
        403,
        reason,
        passkit_dev_signer.pass_type_id,
    )
    assert passkit_dev_signer.pass_type_id in str(error) and reason in str(error)
    assert "Pass Type ID certificate" in str(error)
    # Stopped at once: not a hundred refusals, and none of them retried.
    assert len(apns_stand_in.pushes) <= 4


def test_a_certificate_from_another_ca_is_refused_in_the_tls_handshake(
    apns_stand_in: ApnsStandIn,
) -> None:
    stranger = make_dev_chain(pass_type_id="pass.com.example.stranger").signer()
    client = certificate_client(apns_stand_in, stranger)
    with pytest.raises(ApnsRefusedError, match="refused the TLS client certificate") as refused:
        client.send_many_sync(stranger.pass_type_id, tokens(3))
    assert refused.value.topic == "pass.com.example.stranger"
    assert apns_stand_in.pushes == [] and apns_stand_in.connections == 0
    assert apns_stand_in.wait_for_refusals(1) == ["CERTIFICATE_VERIFY_FAILED"]


def test_a_server_the_client_cannot_trust_stops_the_sender(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner, dev_certs: DevCertificates
) -> None:
    client = track(
        ApnsClient(
            CertificateAuth.from_signer(passkit_dev_signer),
            url=apns_stand_in.url,
            ca_file=dev_certs.root,
        )
    )
    with pytest.raises(ApnsRefusedError, match="cannot trust the certificate"):
        client.send_many_sync(passkit_dev_signer.pass_type_id, tokens(1))
    assert apns_stand_in.pushes == []


def test_a_topic_without_a_certificate_is_refused_before_sending(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    client = certificate_client(apns_stand_in, passkit_dev_signer)
    with pytest.raises(ApnsRefusedError, match=r"no pass type certificate for 'pass\.other'"):
        client.send_many_sync("pass.other", tokens(1))
    assert apns_stand_in.connections == 0


def test_one_connection_carries_every_push_of_a_pass_type(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    client = certificate_client(apns_stand_in, passkit_dev_signer, max_streams=20)

    async def three_batches() -> None:
        async with client:
            for start in (0, 300, 600):
                results = await client.send_many(
                    passkit_dev_signer.pass_type_id, tokens(300, start)
                )
                assert {r.outcome for r in results} == {PushOutcome.DELIVERED}

    asyncio.run(three_batches())
    assert len(apns_stand_in.delivered) == 900
    assert apns_stand_in.connections == 1
    assert {push.connection for push in apns_stand_in.pushes} == {1}


def test_the_stream_cap_bounds_the_pushes_in_flight(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    apns_stand_in.default = ApnsAnswer(200, delay=0.2)
    client = certificate_client(apns_stand_in, passkit_dev_signer, max_streams=3)
    results = client.send_many_sync(passkit_dev_signer.pass_type_id, tokens(12))
    assert {r.outcome for r in results} == {PushOutcome.DELIVERED}
    # Pushes did overlap (three at a time), and never more than three.
    assert apns_stand_in.most_concurrent_streams == 3


def test_the_stream_cap_holds_across_batches_sent_at_once(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    apns_stand_in.default = ApnsAnswer(200, delay=0.2)
    client = certificate_client(apns_stand_in, passkit_dev_signer, max_streams=4)

    async def together() -> None:
        async with client:
            topic = passkit_dev_signer.pass_type_id
            await asyncio.gather(*(client.send_many(topic, tokens(4, 100 * i)) for i in range(3)))

    asyncio.run(together())
    assert len(apns_stand_in.delivered) == 12
    assert apns_stand_in.most_concurrent_streams == 4


def test_a_slow_answer_times_out_and_is_left_for_later(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    [slow, quick] = tokens(2)
    apns_stand_in.answer(slow, ApnsAnswer(200, delay=3.0), ApnsAnswer(200, delay=3.0))
    retry = RetryPolicy(attempts=2, first_delay=0.01, max_delay=0.01)
    client = certificate_client(apns_stand_in, passkit_dev_signer, read_timeout=0.3, retry=retry)
    began = time.monotonic()
    results = client.send_many_sync(passkit_dev_signer.pass_type_id, [slow, quick])
    assert time.monotonic() - began < 2.5
    assert results[0].outcome is PushOutcome.RETRY_LATER
    assert results[0].reason is not None and "Timeout" in results[0].reason
    assert results[1].outcome is PushOutcome.DELIVERED


def test_a_server_that_never_answers_the_handshake_times_out() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True)
    thread.start()
    port = listener.getsockname()[1]
    signer = make_dev_chain().signer()
    retry = RetryPolicy(attempts=2, first_delay=0.01, max_delay=0.01)
    client = track(
        ApnsClient(
            CertificateAuth.from_signer(signer),
            url=f"https://127.0.0.1:{port}",
            connect_timeout=0.3,
            retry=retry,
        )
    )
    began = time.monotonic()
    try:
        results = client.send_many_sync(signer.pass_type_id, tokens(50))
    finally:
        listener.close()
        for connection in accepted:
            connection.close()
    assert time.monotonic() - began < 3.0
    assert {r.outcome for r in results} == {PushOutcome.RETRY_LATER}
    # Once the connection is known to fail, the batch's other tokens are not tried one by one.
    assert sum(r.attempts for r in results) < 10


def test_the_sync_call_refuses_to_run_inside_an_event_loop(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    client = certificate_client(apns_stand_in, passkit_dev_signer)

    async def inside() -> None:
        client.send_many_sync(passkit_dev_signer.pass_type_id, tokens(1))

    with pytest.raises(RuntimeError, match="await send_many"):
        asyncio.run(inside())


def test_retries_wait_with_jitter_within_the_policy() -> None:
    policy = RetryPolicy(first_delay=0.5, max_delay=4.0)
    waits = [policy.delay(attempt) for attempt in (1, 2, 3, 4, 5, 6) for _ in range(200)]
    assert all(0 <= wait <= 4.0 for wait in waits)
    firsts = waits[:200]
    assert max(firsts) <= 0.5 and len(set(firsts)) > 150  # random, not in step
    assert max(waits[-200:]) > 2.0  # grows with the attempts
    assert QUICK.budget < RetryPolicy().budget


def test_a_connection_the_server_closed_is_opened_anew(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    client = certificate_client(apns_stand_in, passkit_dev_signer)

    async def around_a_goaway() -> list[PushOutcome]:
        async with client:
            first = await client.send_many(passkit_dev_signer.pass_type_id, tokens(5))
            await asyncio.to_thread(apns_stand_in.disconnect)
            second = await client.send_many(passkit_dev_signer.pass_type_id, tokens(5, 100))
        return [r.outcome for r in first + second]

    assert asyncio.run(around_a_goaway()) == [PushOutcome.DELIVERED] * 10
    assert apns_stand_in.connections == 2
    assert [push.connection for push in apns_stand_in.pushes] == [1] * 5 + [2] * 5


def test_sync_calls_share_one_connection_until_the_client_is_closed(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    topic = passkit_dev_signer.pass_type_id
    with certificate_client(apns_stand_in, passkit_dev_signer) as client:
        for start in (0, 10, 20):
            assert len(client.send_many_sync(topic, tokens(10, start))) == 10
        assert apns_stand_in.connections == 1
        assert "passkit-apns" in {thread.name for thread in threading.enumerate()}
    assert "passkit-apns" not in {thread.name for thread in threading.enumerate()}
    client.send_many_sync(topic, tokens(1, 99))  # a closed client opens anew
    client.close()
    assert apns_stand_in.connections == 2 and len(apns_stand_in.delivered) == 31


def test_a_client_serves_one_event_loop_at_a_time(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    topic = passkit_dev_signer.pass_type_id
    client = certificate_client(apns_stand_in, passkit_dev_signer)
    client.send_many_sync(topic, tokens(1))

    async def elsewhere() -> None:
        await client.send_many(topic, tokens(1, 5))

    with pytest.raises(RuntimeError, match="another event loop"):
        asyncio.run(elsewhere())


def test_a_client_dropped_without_closing_leaves_no_thread(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    auth = CertificateAuth.from_signer(passkit_dev_signer)
    client = ApnsClient(auth, url=apns_stand_in.url, ca_file=apns_stand_in.ca_file)
    client.send_many_sync(passkit_dev_signer.pass_type_id, tokens(1))
    assert "passkit-apns" in {thread.name for thread in threading.enumerate()}
    del client
    gc.collect()
    assert "passkit-apns" not in {thread.name for thread in threading.enumerate()}
