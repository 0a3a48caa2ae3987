"""The APNs stand-in refuses what APNs refuses, records pushes and wakes devices.

Its requests here are made with plain httpx over HTTP/2, not with passkit's client, so that
the stand-in's checks are tested on their own.
"""

from __future__ import annotations

import re
import ssl
import threading
from pathlib import Path

import h2.connection
import h2.events
import httpx
import pytest

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates, make_dev_chain
from passkit.service.apns import PushOutcome
from passkit.testing import ApnsPush, ApnsStandIn
from tests.support.apns import (
    certificate_client,
    close_apns_clients,  # noqa: F401  (autouse: closes clients)
    raw_context,
    raw_push,
    tokens,
)

pytest_plugins = ("pytester",)


def test_a_well_formed_push_is_accepted_and_recorded(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    [token] = tokens(1)
    headers = {"apns-topic": passkit_dev_signer.pass_type_id, "apns-id": "4D2A-TEST"}
    response = raw_push(apns_stand_in, passkit_dev_signer, f"/3/device/{token}", headers=headers)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["apns-id"] == "4D2A-TEST"
    [push] = apns_stand_in.pushes
    assert (push.token, push.topic, push.payload, push.status) == (
        token,
        passkit_dev_signer.pass_type_id,
        b"{}",
        200,
    )
    assert push.headers["apns-id"] == "4D2A-TEST" and push.connection == 1
    assert apns_stand_in.delivered == [push]


def test_without_a_client_certificate_the_handshake_is_refused(apns_stand_in: ApnsStandIn) -> None:
    with pytest.raises((httpx.TransportError, ssl.SSLError), match="CERTIFICATE_REQUIRED"):
        raw_push(apns_stand_in, None, f"/3/device/{tokens(1)[0]}", headers={"apns-topic": "pass.x"})
    assert apns_stand_in.wait_for_refusals(1) == ["PEER_DID_NOT_RETURN_A_CERTIFICATE"]
    assert apns_stand_in.pushes == [] and apns_stand_in.connections == 0


def test_a_client_without_http2_is_refused(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    context = raw_context(apns_stand_in, passkit_dev_signer)
    context.set_alpn_protocols(["http/1.1"])
    with pytest.raises((httpx.TransportError, ssl.SSLError)), httpx.Client(verify=context) as http:
        http.post(f"{apns_stand_in.url}/3/device/{tokens(1)[0]}", content=b"{}")
    assert apns_stand_in.pushes == []
    assert apns_stand_in.wait_for_refusals(1) and apns_stand_in.connections == 0


@pytest.mark.parametrize(
    ("path", "method", "body", "headers", "status", "reason"),
    [
        ("/3/device/{token}", "POST", b"{}", {"apns-topic": "pass.other"}, 400, "TopicDisallowed"),
        ("/3/device/{token}", "POST", b"{}", {}, 400, "MissingTopic"),
        ("/3/device/not-a-token", "POST", b"{}", {}, 400, "BadDeviceToken"),
        ("/3/devices/{token}", "POST", b"{}", {}, 404, "BadPath"),
        ("/3/device/{token}", "GET", b"", {}, 405, "MethodNotAllowed"),
        ("/3/device/{token}", "POST", b"", {}, 400, "PayloadEmpty"),
        ("/3/device/{token}", "POST", b'{"aps": {"alert": "Hi"}}', {}, 400, "NotAnEmptyPayload"),
        ("/3/device/{token}", "POST", b"{} x", {}, 400, "NotAnEmptyPayload"),
        ("/3/device/{token}", "POST", b"{}" + b" " * 5000, {}, 413, "PayloadTooLarge"),
        ("/3/device/{token}", "POST", b"{}", {"apns-push-type": "pass"}, 400, "InvalidPushType"),
        ("/3/device/{token}", "POST", b"{}", {"apns-priority": "7"}, 400, "BadPriority"),
        (
            "/3/device/{token}",
            "POST",
            b"{}",
            {"apns-push-type": "background", "apns-priority": "10"},
            400,
            "BadPriority",
        ),
    ],
)
def test_what_apns_refuses_is_refused_with_its_status_and_reason(
    apns_stand_in: ApnsStandIn,
    passkit_dev_signer: AppleSigner,
    path: str,
    method: str,
    body: bytes,
    headers: dict[str, str],
    status: int,
    reason: str,
) -> None:
    [token] = tokens(1)
    sent = {"apns-topic": passkit_dev_signer.pass_type_id, **headers}
    if "apns-topic" in headers or reason == "MissingTopic":
        sent = dict(headers)
    response = raw_push(
        apns_stand_in,
        passkit_dev_signer,
        path.format(token=token),
        method=method,
        body=body,
        headers=sent,
    )
    assert (response.status_code, response.json()["reason"]) == (status, reason)
    [push] = apns_stand_in.pushes
    assert (push.status, push.reason, push.delivered) == (status, reason, False)
    assert apns_stand_in.delivered == []


def test_a_topic_outside_the_allowed_list_is_refused(
    dev_certs: DevCertificates, dev_signer: AppleSigner
) -> None:
    with ApnsStandIn(client_ca=dev_certs.root, topics=["pass.com.example.only"]) as apns:
        headers = {"apns-topic": dev_signer.pass_type_id}
        response = raw_push(apns, dev_signer, f"/3/device/{tokens(1)[0]}", headers=headers)
    assert (response.status_code, response.json()) == (400, {"reason": "TopicDisallowed"})


def test_scripted_answers_come_per_token_then_for_the_next_pushes(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    first, second = tokens(2)
    apns_stand_in.answer(first, 410)
    apns_stand_in.answer_next(500)
    headers = {"apns-topic": passkit_dev_signer.pass_type_id}
    statuses = [
        raw_push(
            apns_stand_in, passkit_dev_signer, f"/3/device/{token}", headers=headers
        ).status_code
        for token in (first, second, second, first)
    ]
    assert statuses == [410, 500, 200, 200]
    gone = apns_stand_in.pushes[0]
    assert gone.reason == "Unregistered"


def test_an_unregistered_answer_carries_a_timestamp(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    [token] = tokens(1)
    apns_stand_in.answer(token, 410)
    headers = {"apns-topic": passkit_dev_signer.pass_type_id}
    answer = raw_push(
        apns_stand_in, passkit_dev_signer, f"/3/device/{token}", headers=headers
    ).json()
    assert answer["reason"] == "Unregistered"
    assert abs(answer["timestamp"] / 1000 - apns_stand_in.pushes[0].time) < 5


def test_delivered_pushes_wake_the_devices_that_hold_the_token(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    phone, watch, gone = tokens(3)
    woken: list[tuple[str, str]] = []
    every: list[str] = []
    threads: set[str] = set()

    def device(name: str) -> object:
        def wake(push: ApnsPush) -> None:
            woken.append((name, push.token))
            threads.add(threading.current_thread().name)

        return wake

    apns_stand_in.wake(phone, device("phone"))  # type: ignore[arg-type]
    apns_stand_in.wake(watch, device("watch"))  # type: ignore[arg-type]
    apns_stand_in.on_push(lambda push: every.append(push.token))
    apns_stand_in.answer(gone, 410)
    client = certificate_client(apns_stand_in, passkit_dev_signer)
    client.send_many_sync(passkit_dev_signer.pass_type_id, [phone, watch, gone])
    apns_stand_in.wait_for(3)
    assert sorted(woken) == [("phone", phone), ("watch", watch)]
    assert sorted(every) == sorted([phone, watch])  # the refused push wakes nobody
    assert threads and threading.current_thread().name not in threads


def test_a_failing_callback_fails_the_test_that_waits(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    def broken(push: ApnsPush) -> None:
        raise AssertionError(f"device could not sync after the push to {push.token[:8]}")

    apns_stand_in.on_push(broken)
    [result] = certificate_client(apns_stand_in, passkit_dev_signer).send_many_sync(
        passkit_dev_signer.pass_type_id, tokens(1)
    )
    assert result.outcome is PushOutcome.DELIVERED  # the server answered all the same
    with pytest.raises(AssertionError, match="device could not sync"):
        apns_stand_in.wait_for(1)


def test_waiting_for_pushes_that_never_come_says_so(apns_stand_in: ApnsStandIn) -> None:
    with pytest.raises(AssertionError, match=r"expected 2 pushes within 0\.2s, got 0"):
        apns_stand_in.wait_for(2, timeout=0.2)


def test_the_stand_in_speaks_http2_to_a_bare_h2_client(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    import socket

    context = raw_context(apns_stand_in, passkit_dev_signer)
    context.set_alpn_protocols(["h2"])
    port = int(apns_stand_in.url.rsplit(":", 1)[1])
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.selected_alpn_protocol() == "h2"
        connection = h2.connection.H2Connection()
        connection.initiate_connection()
        headers = [
            (":method", "POST"),
            (":scheme", "https"),
            (":authority", "127.0.0.1"),
            (":path", f"/3/device/{tokens(1)[0]}"),
            ("apns-topic", passkit_dev_signer.pass_type_id),
        ]
        connection.send_headers(1, headers)
        connection.send_data(1, b"{}", end_stream=True)
        tls.sendall(connection.data_to_send())
        status = None
        while status is None:
            for event in connection.receive_data(tls.recv(65536)):
                if isinstance(event, h2.events.ResponseReceived):
                    status = dict(event.headers)[b":status"]
            tls.sendall(connection.data_to_send())
    assert status == b"200"
    assert apns_stand_in.delivered[0].topic == passkit_dev_signer.pass_type_id


def test_the_fixture_trusts_the_development_root(
    apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    results = certificate_client(apns_stand_in, passkit_dev_signer).send_many_sync(
        passkit_dev_signer.pass_type_id, tokens(2)
    )
    assert [r.outcome for r in results] == [PushOutcome.DELIVERED] * 2
    assert len(apns_stand_in.delivered) == 2


def test_the_stand_in_needs_a_way_to_check_credentials() -> None:
    with pytest.raises(ValueError, match="client_ca"):
        ApnsStandIn()


def test_the_readme_example_runs_as_a_users_test(pytester: pytest.Pytester) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.DOTALL)
    [example] = [block for block in blocks if "def test_pushes(apns_stand_in" in block]
    pytester.makepyfile(test_pushes=example)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_certificate_that_is_not_a_pass_type_certificate_is_refused(tmp_path: Path) -> None:
    # The development intermediate chains to the trusted root but names no pass type (UID).
    chain = make_dev_chain()
    identity = tmp_path / "intermediate.pem"
    identity.write_bytes(chain.wwdr_pem + chain.wwdr_key_pem)
    with ApnsStandIn(client_ca=chain.root_pem) as apns:
        context = ssl.create_default_context(cafile=str(apns.ca_file))
        context.load_cert_chain(identity)
        with httpx.Client(http1=False, http2=True, verify=context, trust_env=False) as http:
            response = http.post(
                f"{apns.url}/3/device/{tokens(1)[0]}",
                content=b"{}",
                headers={"apns-topic": chain.pass_type_id},
            )
    assert (response.status_code, response.json()) == (403, {"reason": "BadCertificate"})
