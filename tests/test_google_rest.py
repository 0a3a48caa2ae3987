"""The REST client against a local HTTP server playing Google's token endpoint and
walletobjects API: token exchange, requests, errors, caching and timeouts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google_server import API, FakeGoogle, fake_google
from google_support import ISSUER_ID, NOW, make_account, sample_pass

from passkit.errors import GoogleApiError
from passkit.google import WalletClient, compile_google, save_link
from passkit.google.rest import SCOPE
from passkit.model import Message


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    with fake_google() as state:
        yield state


class Clock:
    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


def client_for(google: FakeGoogle, **kwargs: Any) -> WalletClient:
    return WalletClient(
        google.account, base_url=google.api_url, token_url=google.token_url, **kwargs
    )


def test_token_exchange_sends_a_signed_jwt_bearer_assertion(google: FakeGoogle) -> None:
    clock = Clock(NOW.timestamp())
    with client_for(google, clock=clock) as client:
        assert client.access_token() == "token-1"
    (token,) = google.assertions
    assert token.header == {"alg": "RS256", "kid": google.account.private_key_id, "typ": "JWT"}
    assert token.claims == {
        "iss": google.account.client_email,
        "scope": SCOPE,
        "aud": google.token_url,
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 3600,
    }


def test_token_url_defaults_to_the_accounts_token_uri(google: FakeGoogle) -> None:
    account = make_account(token_uri=google.token_url)
    google.account = account
    client = WalletClient(account, base_url=google.api_url)
    assert client.token_url == google.token_url


def test_insert_get_patch_message_and_expire(google: FakeGoogle) -> None:
    gp = compile_google(sample_pass("loyalty"), issuer_id=ISSUER_ID)
    with client_for(google) as client:
        assert client.insert_class(gp)["id"] == gp.class_id
        assert client.insert_object(gp)["id"] == gp.object_id
        assert client.get_object("loyalty", gp.object_id) == gp.object_json
        assert client.get_class("loyalty", gp.class_id)["programName"] == "Acme Rewards"
        patched = client.patch_object("loyalty", gp.object_id, {"accountName": "Bo"})
        assert patched["accountName"] == "Bo"
        client.add_message("loyalty", gp.object_id, Message(key="m2", header="Hi", body="News"))
        client.add_class_message("loyalty", gp.class_id, {"header": "All", "body": "Hello"})
        assert client.expire_object("loyalty", gp.object_id)["state"] == "EXPIRED"
    seen = [(r.method, r.path, r.body) for r in google.requests]
    object_path = f"{API}/loyaltyObject/{gp.object_id}"
    assert seen == [
        ("POST", f"{API}/loyaltyClass", gp.class_json),
        ("POST", f"{API}/loyaltyObject", gp.object_json),
        ("GET", object_path, None),
        ("GET", f"{API}/loyaltyClass/{gp.class_id}", None),
        ("PATCH", object_path, {"accountName": "Bo"}),
        (
            "POST",
            f"{object_path}/addMessage",
            {"message": {"id": "m2", "header": "Hi", "body": "News", "messageType": "TEXT"}},
        ),
        (
            "POST",
            f"{API}/loyaltyClass/{gp.class_id}/addMessage",
            {"message": {"header": "All", "body": "Hello"}},
        ),
        ("PATCH", object_path, {"state": "EXPIRED"}),
    ]
    assert {r.authorization for r in google.requests} == {"Bearer token-1"}
    stored = google.resources[("loyaltyObject", gp.object_id)]
    assert stored["messages"][-1]["body"] == "News"


def test_token_is_cached_until_shortly_before_it_expires(google: FakeGoogle) -> None:
    clock = Clock(NOW.timestamp())
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    with client_for(google, clock=clock) as client:
        client.upsert(gp)
        for _ in range(5):
            client.get_object("generic", gp.object_id)
        assert google.tokens_issued == 1
        clock.now += 3600 - 61
        client.get_object("generic", gp.object_id)
        assert google.tokens_issued == 1
        clock.now += 2  # within a minute of expiry: renewed before use
        client.get_object("generic", gp.object_id)
        assert google.tokens_issued == 2
    assert google.requests[-1].authorization == "Bearer token-2"


def test_upsert_patches_what_exists_and_a_skinny_link_points_at_it(google: FakeGoogle) -> None:
    back = [{"key": f"n{i}", "label": f"Note {i}", "value": "y" * 300} for i in range(8)]
    gp = compile_google(sample_pass("gift_card", back=back), issuer_id=ISSUER_ID)
    link = save_link(gp, google.account, now=NOW)
    assert link.skinny
    with client_for(google) as client:
        client.upsert(gp)
    with client_for(google) as client:
        client.upsert(gp)  # a new client: 409 on insert, then patch
        client.upsert(gp)  # the same client: the class is known, only the object is sent
    methods = [(r.method, r.path.split("/")[3]) for r in google.requests]
    assert methods == [
        ("POST", "giftCardClass"),
        ("POST", "giftCardObject"),
        ("POST", "giftCardClass"),
        ("PATCH", "giftCardClass"),
        ("POST", "giftCardObject"),
        ("PATCH", "giftCardObject"),
        ("POST", "giftCardObject"),
        ("PATCH", "giftCardObject"),
    ]
    assert ("giftCardObject", link.object_id) in google.resources
    assert ("giftCardClass", link.class_id) in google.resources


def test_4xx_answers_carry_status_and_googles_message(google: FakeGoogle) -> None:
    with client_for(google) as client:
        with pytest.raises(GoogleApiError) as caught:
            client.get_object("offer", f"{ISSUER_ID}.missing")
        assert caught.value.status == 404
        message = str(caught.value)
        assert f"GET offerObject/{ISSUER_ID}.missing" in message
        assert "HTTP 404 NOT_FOUND: No resource with id" in message
        assert "insert it first" in message
        google.fail_next.append(
            (
                400,
                {
                    "error": {
                        "code": 400,
                        "message": "Invalid resource field value in the request.",
                        "status": "INVALID_ARGUMENT",
                    }
                },
            )
        )
        with pytest.raises(GoogleApiError, match="HTTP 400 INVALID_ARGUMENT: Invalid resource"):
            client.patch_object("offer", f"{ISSUER_ID}.x", {"state": "EXPIRED"})
        google.fail_next.append((503, "backend unavailable"))
        with pytest.raises(GoogleApiError, match=r"HTTP 503.*retry later") as caught:
            client.get_class("offer", f"{ISSUER_ID}.x")
        assert caught.value.status == 503


def test_a_revoked_token_is_renewed_once(google: FakeGoogle) -> None:
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    with client_for(google) as client:
        client.upsert(gp)
        google.fail_next.append((401, {"error": {"code": 401, "message": "Token revoked"}}))
        assert client.get_object("generic", gp.object_id)["id"] == gp.object_id
        assert google.tokens_issued == 2
        google.fail_next.extend([(401, {"error": {"message": "nope"}})] * 2)
        with pytest.raises(GoogleApiError, match="HTTP 401: nope"):
            client.get_object("generic", gp.object_id)


def test_token_endpoint_refusal_is_explained(google: FakeGoogle) -> None:
    google.token_failure = (400, {"error": "invalid_grant", "error_description": "Invalid JWT"})
    with client_for(google) as client, pytest.raises(GoogleApiError) as caught:
        client.get_class("loyalty", f"{ISSUER_ID}.x")
    message = str(caught.value)
    assert google.account.client_email in message
    assert "HTTP 400: invalid_grant: Invalid JWT" in message
    assert caught.value.status == 400


def test_timeouts_and_unreachable_servers_are_clear(google: FakeGoogle) -> None:
    google.delay = 1.0
    with (
        client_for(google, timeout=0.2) as client,
        pytest.raises(GoogleApiError, match=r"timed out after 0\.2 s"),
    ):
        client.access_token()
    google.delay = 0.0
    unreachable = WalletClient(
        google.account, base_url="http://127.0.0.1:9/x", token_url="http://127.0.0.1:9/token"
    )
    with pytest.raises(GoogleApiError, match="cannot reach the server"):
        unreachable.access_token()


def test_unknown_kind_is_refused(google: FakeGoogle) -> None:
    from passkit.errors import WalletRuleError

    with client_for(google) as client, pytest.raises(WalletRuleError, match="'boarding'"):
        client.get_object("boarding", "1.x")


def test_pass_kind_names_are_accepted_too(google: FakeGoogle) -> None:
    gp = compile_google(sample_pass("gift_card"), issuer_id=ISSUER_ID)
    with client_for(google) as client:
        client.upsert(gp)
        assert client.get_object("gift_card", gp.object_id)["id"] == gp.object_id
        assert client.get_class("giftCard", gp.class_id)["id"] == gp.class_id
