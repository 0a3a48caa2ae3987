"""The REST client against the Google stand-in (`passkit.testing.GoogleStandIn`, the `google`
fixture): token exchange, requests, errors, caching and timeouts."""

from __future__ import annotations

from typing import Any

import pytest

from passkit.errors import GoogleApiError
from passkit.google import WalletClient, compile_google, save_link
from passkit.google.rest import SCOPE
from passkit.model import Message
from passkit.testing import GoogleStandIn
from passkit.testing.google import API_PATH as API
from tests.support.google import ISSUER_ID, NOW, make_account, sample_pass


def client_for(google: GoogleStandIn, **kwargs: Any) -> WalletClient:
    return WalletClient(
        google.accounts[0], base_url=google.api_url, token_url=google.token_url, **kwargs
    )


def stand_in_clock(google: GoogleStandIn) -> Any:
    """The stand-in's clock, for a client that must keep its time."""
    return lambda: google.now.timestamp()


def test_token_exchange_sends_a_signed_jwt_bearer_assertion(google: GoogleStandIn) -> None:
    google.set_time(NOW)
    with client_for(google, clock=lambda: NOW.timestamp()) as client:
        assert client.access_token()
    assert google.tokens_issued == 1
    (token,) = google.assertions
    account = google.accounts[0]
    assert token.header == {"alg": "RS256", "kid": account.private_key_id, "typ": "JWT"}
    assert token.claims == {
        "iss": account.client_email,
        "scope": SCOPE,
        "aud": google.token_url,
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 3600,
    }


def test_token_url_defaults_to_the_accounts_token_uri(google: GoogleStandIn) -> None:
    account = make_account(token_uri=google.token_url)
    client = WalletClient(account, base_url=google.api_url)
    assert client.token_url == google.token_url


def test_insert_get_patch_message_and_expire(google: GoogleStandIn) -> None:
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
    assert {r.token for r in google.requests} == {1}
    stored = google.resources[("loyaltyObject", gp.object_id)]
    assert stored["messages"][-1]["body"] == "News"


def test_token_is_cached_until_shortly_before_it_expires(google: GoogleStandIn) -> None:
    google.set_time(NOW)
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    with client_for(google, clock=stand_in_clock(google)) as client:
        client.upsert(gp)
        for _ in range(5):
            client.get_object("generic", gp.object_id)
        assert google.tokens_issued == 1
        google.advance(3600 - 62)
        client.get_object("generic", gp.object_id)
        assert google.tokens_issued == 1
        google.advance(3)  # within a minute of expiry: renewed before use
        client.get_object("generic", gp.object_id)
        assert google.tokens_issued == 2
    assert google.requests[-1].token == 2


def test_upsert_patches_what_exists_and_a_skinny_link_points_at_it(google: GoogleStandIn) -> None:
    back = [{"key": f"n{i}", "label": f"Note {i}", "value": "y" * 300} for i in range(8)]
    gp = compile_google(sample_pass("gift_card", back=back), issuer_id=ISSUER_ID)
    link = save_link(gp, google.accounts[0], now=NOW)
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


def test_4xx_answers_carry_status_and_googles_message(google: GoogleStandIn) -> None:
    with client_for(google) as client:
        with pytest.raises(GoogleApiError) as caught:
            client.get_object("offer", f"{ISSUER_ID}.missing")
        assert caught.value.status == 404
        message = str(caught.value)
        assert f"GET offerObject/{ISSUER_ID}.missing" in message
        assert "HTTP 404 NOT_FOUND: Resource offerObject with id" in message
        assert "insert it first" in message
        google.fail_next(
            400,
            {
                "error": {
                    "code": 400,
                    "message": "Invalid resource field value in the request.",
                    "status": "INVALID_ARGUMENT",
                }
            },
        )
        with pytest.raises(GoogleApiError, match="HTTP 400 INVALID_ARGUMENT: Invalid resource"):
            client.patch_object("offer", f"{ISSUER_ID}.x", {"state": "EXPIRED"})
        google.fail_next(503, "backend unavailable")
        with pytest.raises(GoogleApiError, match=r"HTTP 503.*retry later") as caught:
            client.get_class("offer", f"{ISSUER_ID}.x")
        assert caught.value.status == 503


def test_a_revoked_token_is_renewed_once(google: GoogleStandIn) -> None:
    gp = compile_google(sample_pass("generic"), issuer_id=ISSUER_ID)
    with client_for(google) as client:
        client.upsert(gp)
        google.fail_next(401, {"error": {"code": 401, "message": "Token revoked"}})
        assert client.get_object("generic", gp.object_id)["id"] == gp.object_id
        assert google.tokens_issued == 2
        google.fail_next(401, {"error": {"message": "nope"}}, times=2)
        with pytest.raises(GoogleApiError, match="HTTP 401: nope"):
            client.get_object("generic", gp.object_id)


def test_token_endpoint_refusal_is_explained(google: GoogleStandIn) -> None:
    google.fail_token(400, {"error": "invalid_grant", "error_description": "Invalid JWT"})
    with client_for(google) as client, pytest.raises(GoogleApiError) as caught:
        client.get_class("loyalty", f"{ISSUER_ID}.x")
    message = str(caught.value)
    assert google.accounts[0].client_email in message
    assert "HTTP 400: invalid_grant: Invalid JWT" in message
    assert caught.value.status == 400


def test_timeouts_and_unreachable_servers_are_clear(google: GoogleStandIn) -> None:
    google.delay = 1.0
    with (
        client_for(google, timeout=0.2) as client,
        pytest.raises(GoogleApiError, match=r"timed out after 0\.2 s"),
    ):
        client.access_token()
    google.delay = 0.0
    unreachable = WalletClient(
        google.accounts[0], base_url="http://127.0.0.1:9/x", token_url="http://127.0.0.1:9/token"
    )
    with pytest.raises(GoogleApiError, match="cannot reach the server"):
        unreachable.access_token()


def test_unknown_kind_is_refused(google: GoogleStandIn) -> None:
    from passkit.errors import WalletRuleError

    with client_for(google) as client, pytest.raises(WalletRuleError, match="'boarding'"):
        client.get_object("boarding", "1.x")


def test_pass_kind_names_are_accepted_too(google: GoogleStandIn) -> None:
    gp = compile_google(sample_pass("gift_card"), issuer_id=ISSUER_ID)
    with client_for(google) as client:
        client.upsert(gp)
        assert client.get_object("gift_card", gp.object_id)["id"] == gp.object_id
        assert client.get_class("giftCard", gp.class_id)["id"] == gp.class_id
