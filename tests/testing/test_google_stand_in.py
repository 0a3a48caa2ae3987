"""`GoogleStandIn`: the public local Google Wallet API, driven by passkit's REST client and by
hand-made requests: tokens, every pass type, patches, messages and their quota, refusals,
scripted failures and signed callbacks verified by the service's verifier."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from joserfc import jwt as jose_jwt
from joserfc.jwk import RSAKey

from passkit.errors import GoogleApiError, PasskitError
from passkit.google import GooglePass, ServiceAccount, WalletClient, compile_google
from passkit.google.rest import JWT_BEARER_GRANT, SCOPE
from passkit.model import Message
from passkit.service.google_callbacks import (
    CallbackError,
    CallbackVerifier,
    load_root_keys,
)
from passkit.testing import GoogleStandIn
from tests.support.google import (
    ISSUER_ID,
    KIND_DATA,
    TRAIN,
    account_json,
    make_account,
    sample_pass,
)

pytest_plugins = ("pytester",)

ACCOUNT = make_account()
KINDS = [*KIND_DATA, "train"]


def compiled(kind: str = "loyalty", **overrides: Any) -> GooglePass:
    if kind == "train":
        return compile_google(
            sample_pass("boarding_pass", **{**TRAIN, **overrides}), issuer_id=ISSUER_ID
        )
    return compile_google(sample_pass(kind, **overrides), issuer_id=ISSUER_ID)


def test_the_plugin_fixture_serves_the_throwaway_account(google_stand_in: GoogleStandIn) -> None:
    gp = compiled()
    with google_stand_in.client() as google_client:
        google_client.upsert(gp)
    assert google_stand_in.object(gp.object_id)["id"] == gp.object_id
    assert google_stand_in.url.startswith("http://127.0.0.1:")


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_inserted_read_and_patched(
    google: GoogleStandIn, google_client: WalletClient, kind: str
) -> None:
    gp = compiled(kind)
    google_client.upsert(gp)
    assert google_client.get_object(gp.kind, gp.object_id) == gp.object_json
    assert google.class_(gp.class_id) == gp.class_json
    google_client.patch_object(gp.kind, gp.object_id, {"state": "INACTIVE"})
    stored = google.object(gp.object_id)
    assert stored["state"] == "INACTIVE"
    assert stored["barcode"] == gp.object_json["barcode"]  # the rest is kept


def test_patch_merges_objects_but_replaces_arrays_whole(
    google: GoogleStandIn, google_client: WalletClient
) -> None:
    gp = compiled()
    google_client.upsert(gp)
    assert len(google.object(gp.object_id)["textModulesData"]) > 1
    module = {"id": "only", "header": "Only", "body": "one"}
    google_client.patch_object(gp.kind, gp.object_id, {"textModulesData": [module]})
    google_client.patch_object(gp.kind, gp.object_id, {"barcode": {"value": "NEW-1"}})
    stored = google.object(gp.object_id)
    assert stored["textModulesData"] == [module]
    assert stored["barcode"] == {**gp.object_json["barcode"], "value": "NEW-1"}


def test_a_malformed_object_is_refused_with_400_and_not_stored(
    google: GoogleStandIn, google_client: WalletClient
) -> None:
    gp = compiled()
    google_client.upsert_class(gp)
    bad = {**gp.object_json, "state": "active", "loyaltyPoints": {"balance": {"int": "x"}}}
    with pytest.raises(GoogleApiError, match="HTTP 400 INVALID_ARGUMENT") as caught:
        google_client.request("POST", "loyaltyObject", bad)
    assert "lower-case" in str(caught.value) and "expected an integer" in str(caught.value)
    with pytest.raises(KeyError):
        google.object(gp.object_id)
    google_client.insert_object(gp)
    with pytest.raises(GoogleApiError, match="unknown field"):
        google_client.patch_object(gp.kind, gp.object_id, {"colour": "red"})
    assert google.object(gp.object_id) == gp.object_json
    assert [r.status for r in google.requests_to("PATCH")] == [400]


def test_an_object_needs_its_class_and_an_id_once(google_client: WalletClient) -> None:
    gp = compiled()
    with pytest.raises(GoogleApiError) as caught:
        google_client.insert_object(gp)
    assert caught.value.status == 404
    google_client.insert_class(gp)
    google_client.insert_object(gp)
    with pytest.raises(GoogleApiError) as caught:
        google_client.insert_object(gp)
    assert caught.value.status == 409


def notify(key: str) -> dict[str, Any]:
    return {"id": key, "header": "News", "body": f"message {key}", "messageType": "TEXT_AND_NOTIFY"}


def test_three_notifying_messages_a_day_then_quota_exceeded(
    google: GoogleStandIn, google_client: WalletClient
) -> None:
    gp = compiled()
    google_client.upsert(gp)
    for n in range(3):
        google_client.add_message(gp.kind, gp.object_id, notify(f"m{n}"))
        google.advance(timedelta(hours=1))
    with pytest.raises(GoogleApiError, match=r"Quota exceeded.*TEXT_AND_NOTIFY") as caught:
        google_client.add_message(gp.kind, gp.object_id, notify("m3"))
    assert caught.value.status == 403
    body = google.requests_to("POST", "addMessage")[-1]
    assert body.status == 403
    google_client.add_message(gp.kind, gp.object_id, Message(key="plain", header="H", body="B"))
    # 24 hours after the first, one notification is allowed again (a sliding window).
    google.advance(timedelta(hours=21, seconds=1))
    google_client.add_message(gp.kind, gp.object_id, notify("m4"))
    with pytest.raises(GoogleApiError):
        google_client.add_message(gp.kind, gp.object_id, notify("m5"))
    ids = [m["id"] for m in google.messages(gp.object_id)]
    assert ids == [*(m["id"] for m in gp.object_json["messages"]), "m0", "m1", "m2", "plain", "m4"]


def test_class_messages_have_their_own_quota(
    google: GoogleStandIn, google_client: WalletClient
) -> None:
    gp = compiled()
    google_client.upsert(gp)
    for n in range(3):
        google_client.add_class_message(gp.kind, gp.class_id, notify(f"c{n}"))
    with pytest.raises(GoogleApiError, match="class"):
        google_client.add_class_message(gp.kind, gp.class_id, notify("c3"))
    google_client.add_message(gp.kind, gp.object_id, notify("o1"))
    assert google.class_(gp.class_id)["messages"][-1]["id"] == "c2"


def test_a_malformed_message_is_refused(google_client: WalletClient) -> None:
    gp = compiled()
    google_client.upsert(gp)
    with pytest.raises(GoogleApiError, match="not one of"):
        google_client.add_message(gp.kind, gp.object_id, {"id": "x", "messageType": "LOUD"})


def test_tokens_come_only_for_a_genuine_assertion(google: GoogleStandIn) -> None:
    stranger = ServiceAccount.from_json(
        account_json(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        source="stranger",
    )
    with google.client(stranger) as google_client, pytest.raises(GoogleApiError, match="HTTP 400"):
        google_client.access_token()
    assert "Signature verification failed" in google.token_refusals[-1]

    def exchange(claims: dict[str, Any]) -> httpx.Response:
        key = RSAKey.import_key(account_json()["private_key"])
        assertion = jose_jwt.encode({"alg": "RS256"}, claims, key)
        form = {"grant_type": JWT_BEARER_GRANT, "assertion": assertion}
        return httpx.post(google.token_url, data=form)

    now = int(time.time())
    good = {
        "iss": ACCOUNT.client_email,
        "scope": SCOPE,
        "aud": google.token_url,
        "iat": now,
        "exp": now + 3600,
    }
    assert exchange(good).status_code == 200
    assert google.tokens_issued == 1
    (accepted,) = google.assertions
    assert accepted.header["alg"] == "RS256" and accepted.claims == good
    assert exchange({**good, "aud": "https://elsewhere.example/token"}).status_code == 400
    assert exchange({**good, "scope": "email"}).json()["error"] == "invalid_scope"
    assert exchange({**good, "iat": now - 7200, "exp": now - 3600}).status_code == 400
    assert exchange({**good, "exp": now + 7200}).status_code == 400


def test_api_requests_need_an_issued_token(google: GoogleStandIn) -> None:
    answer = httpx.get(f"{google.api_url}/loyaltyObject/x", headers={"Authorization": "Bearer t"})
    assert answer.status_code == 401
    assert google.requests[-1].authorized is False


def test_scripted_failures_then_normal_answers(
    google: GoogleStandIn, google_client: WalletClient
) -> None:
    gp = compiled()
    google.fail_next(503, times=2)
    for _ in range(2):
        with pytest.raises(GoogleApiError) as caught:
            google_client.upsert_class(gp)
        assert caught.value.status == 503
    google_client.upsert(gp)
    google.fail_for(gp.object_id, 429, times=1)
    with pytest.raises(GoogleApiError, match="HTTP 429"):
        google_client.get_object(gp.kind, gp.object_id)
    assert google_client.get_object(gp.kind, gp.object_id)["id"] == gp.object_id
    google.fail_for(gp.object_id, 500)
    for _ in range(2):
        with pytest.raises(GoogleApiError):
            google_client.get_object(gp.kind, gp.object_id)
    google.clear_failures()
    google_client.get_object(gp.kind, gp.object_id)
    assert [r.status for r in google.requests][-6:] == [200, 429, 200, 500, 500, 200]


def test_a_delay_makes_the_client_time_out(google: GoogleStandIn) -> None:
    gp = compiled()
    with google.client(timeout=0.3) as google_client:
        google_client.upsert(gp)
        google.delay_for(gp.object_id, 1.0)
        with pytest.raises(GoogleApiError, match="timed out"):
            google_client.get_object(gp.kind, gp.object_id)
        google.clear_failures()
        assert google_client.get_object(gp.kind, gp.object_id)["id"] == gp.object_id


def test_bodies_are_bounded(google: GoogleStandIn, google_client: WalletClient) -> None:
    google.max_body_bytes = 2048
    token = google_client.access_token()
    answer = httpx.post(
        f"{google.api_url}/loyaltyClass",
        content=b"x" * 4096,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 413
    assert google.requests == []


class Receiver:
    """The issuer's callback endpoint: verifies with the service's CallbackVerifier."""

    def __init__(self, verifier: CallbackVerifier) -> None:
        self.verifier = verifier
        self.events: list[Any] = []
        self.refusals: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    receiver.events.append(receiver.verifier.verify(body))
                    status = 200
                except CallbackError as exc:
                    receiver.refusals.append(exc.check)
                    status = 400
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callbacks"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_callbacks_are_verified_by_the_service_verifier(
    google: GoogleStandIn, google_client: WalletClient
) -> None:
    gp = compiled()
    google_client.upsert(gp)
    keys = load_root_keys(json.dumps(google.root_keys_json()))
    receiver = Receiver(CallbackVerifier(issuer_id=ISSUER_ID, root_keys=keys))
    try:
        assert google.send_callback(receiver.url, gp.object_id) == 200
        assert google.send_callback(receiver.url, gp.object_id, "del") == 200
        (saved, deleted) = receiver.events
        assert (saved.object_id, saved.class_id, saved.saved) == (gp.object_id, gp.class_id, True)
        assert deleted.event_type == "del"

        tampered = json.loads(google.callback_body(gp.object_id))
        message = json.loads(tampered["signedMessage"])
        tampered["signedMessage"] = json.dumps({**message, "eventType": "del"})
        answer = httpx.post(receiver.url, content=json.dumps(tampered).encode())
        assert answer.status_code == 400
        assert receiver.refusals == ["message signature"]
    finally:
        receiver.close()
    other = GoogleStandIn(accounts=[ACCOUNT])
    foreign = CallbackVerifier(
        issuer_id=ISSUER_ID, root_keys=load_root_keys(other.root_keys_json())
    )
    with pytest.raises(CallbackError, match="intermediate key signature"):
        foreign.verify(google.callback_body(gp.object_id))
    assert [c.status for c in google.callbacks] == [200, 200]


def test_requests_in_flight_are_counted(google: GoogleStandIn, google_client: WalletClient) -> None:
    gp = compiled()
    google_client.upsert(gp)
    google.delay = 0.3
    threads = [
        threading.Thread(target=google_client.get_object, args=(gp.kind, gp.object_id))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert google.most_in_flight >= 2 and google.in_flight == 0


USERS_SUITE = """
import httpx
import pytest

from passkit.google import compile_google

MEMBER = {"member_id": "4012883310", "member_name": "Ada Lovelace", "points": 120, "tier": "Gold"}
SEEN = []


def test_redeeming_tells_google(google_stand_in, passkit_layout):
    layout = passkit_layout("loyalty")
    pass_ = layout.render(MEMBER)
    gp = compile_google(pass_, issuer_id="3388000000012345678", options=layout.google)
    with google_stand_in.client() as client:  # a WalletClient for the stand-in
        client.upsert(gp)
        client.patch_object(gp.kind, gp.object_id, {"state": "COMPLETED"})
    assert google_stand_in.object(gp.object_id)["state"] == "COMPLETED"
    SEEN.append(google_stand_in.token_url)


def test_the_stand_in_was_stopped_after_the_test():
    with pytest.raises(httpx.ConnectError):
        httpx.post(SEEN[0], data={})
"""


def test_a_users_suite_gets_the_fixture_from_the_plugin(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_google_updates=USERS_SUITE)
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_tokens_and_assertions_keep_the_stand_ins_time(google: GoogleStandIn) -> None:
    gp = compiled()
    with google.client(clock=time.time) as own_clock:  # a client keeping real time
        own_clock.upsert(gp)
        token = own_clock.access_token()
        google.advance(timedelta(hours=2))
        answer = httpx.get(
            f"{google.api_url}/loyaltyObject/{gp.object_id}",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 401  # the token expired an hour ago, by the stand-in
        with pytest.raises(GoogleApiError, match="the assertion has expired"):
            own_clock.get_object(gp.kind, gp.object_id)
    past = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    google.set_time(past)
    with google.client(clock=lambda: past.timestamp()) as fixed:
        assert fixed.get_object(gp.kind, gp.object_id)["id"] == gp.object_id
    assert [r.token for r in google.requests_to("GET")] == [None, None, 2]


def test_failures_for_ids_that_contain_a_part(
    google: GoogleStandIn, google_client: WalletClient
) -> None:
    gp = compiled()
    google_client.upsert_class(gp)
    google.fail_for(".loyalty-0001", 403, times=1)
    with pytest.raises(GoogleApiError) as caught:
        google_client.insert_object(gp)  # the id is in the body of an insert
    assert caught.value.status == 403
    google_client.insert_object(gp)


def test_a_callback_nobody_receives_is_a_clear_error(
    google: GoogleStandIn, google_client: WalletClient
) -> None:
    gp = compiled()
    google_client.upsert(gp)
    with pytest.raises(PasskitError, match=r"could not be delivered to http://127\.0\.0\.1:9/cb"):
        google.send_callback("http://127.0.0.1:9/cb", gp.object_id)
    with pytest.raises(PasskitError, match=r"holds no object .*give class_id="):
        google.callback_body(f"{ISSUER_ID}.unknown")
    assert google.callback_body(f"{ISSUER_ID}.unknown", class_id=f"{ISSUER_ID}.c")


def test_without_the_discovery_document_the_stand_in_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    from passkit.testing import walletobjects

    walletobjects.discovery.cache_clear()
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "googleapiclient" else real(name, *args),
    )
    try:
        with (
            pytest.raises(PasskitError, match=r"pip install 'passkit\[testing\]'"),
            GoogleStandIn(accounts=[ACCOUNT]),
        ):
            pass
    finally:
        walletobjects.discovery.cache_clear()
