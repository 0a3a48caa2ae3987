"""Google failures as the outbox sees them: retry later (unreachable, 429, 5xx, quota) or
refused for good (400, 403, 404, a token refused), with Google's message and no secret."""

from __future__ import annotations

import socket

import pytest

from passkit.errors import PasskitError
from passkit.google import GooglePass, WalletClient, compile_google
from passkit.model import Message, Pass
from passkit.service.google_sync import (
    GoogleRefused,
    GoogleRetryLater,
    GoogleSync,
    GoogleSyncError,
    hash_class,
)
from passkit.service.notification_budget import MemoryNotificationBudget
from passkit.testing import GoogleStandIn
from tests.support.google import ISSUER_ID, make_account, sample_pass

ACCOUNT = make_account()


@pytest.fixture
def issued(google_client: WalletClient) -> tuple[Pass, GooglePass]:
    p = sample_pass("loyalty")
    gp = compile_google(p, issuer_id=ISSUER_ID)
    google_client.upsert(gp)
    return p, gp


def apply(google_client: WalletClient, issued: tuple[Pass, GooglePass]) -> None:
    p, gp = issued
    sync = GoogleSync(google_client, MemoryNotificationBudget())
    sync.apply(p, gp, status="redeemed", class_hash=hash_class(gp))


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (429, None),
        (500, None),
        (502, None),
        (503, None),
        (403, "rateLimitExceeded"),
        (403, "quotaExceeded"),
    ],
)
def test_busy_failing_or_over_quota_is_retried_later(
    google: GoogleStandIn,
    google_client: WalletClient,
    issued: tuple[Pass, GooglePass],
    status: int,
    reason: str | None,
) -> None:
    body = None
    if reason is not None:
        body = {
            "error": {
                "code": status,
                "message": "Quota exceeded for issuer",
                "errors": [{"reason": reason, "domain": "walletobjects"}],
            }
        }
    google.fail_next(status, body)
    with pytest.raises(GoogleRetryLater) as caught:
        apply(google_client, issued)
    assert caught.value.retry and caught.value.status == status
    assert f"pass {issued[0].serial_number}" in str(caught.value)
    assert "retry later" in str(caught.value)
    apply(google_client, issued)  # the change goes through once Google answers again
    assert google.object(issued[1].object_id)["state"] == "COMPLETED"


def test_an_unreachable_google_is_retried_later(issued: tuple[Pass, GooglePass]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    dead = WalletClient(
        ACCOUNT,
        base_url=f"http://127.0.0.1:{port}/walletobjects/v1",
        token_url=f"http://127.0.0.1:{port}/token",
        timeout=1.0,
    )
    with dead, pytest.raises(GoogleRetryLater, match="cannot reach") as caught:
        apply(dead, issued)
    assert caught.value.status is None


def test_a_timeout_is_retried_later(google: GoogleStandIn, issued: tuple[Pass, GooglePass]) -> None:
    with google.client(timeout=0.3) as slow:
        google.delay_for(issued[1].object_id, 1.0)
        with pytest.raises(GoogleRetryLater, match="timed out"):
            apply(slow, issued)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "Invalid loyalty object"),
        (403, "The caller does not have permission"),
        (404, "Resource not found"),
        (401, "Request had invalid authentication credentials"),
    ],
)
def test_refusals_are_permanent_and_carry_googles_message(
    google: GoogleStandIn,
    google_client: WalletClient,
    issued: tuple[Pass, GooglePass],
    status: int,
    message: str,
) -> None:
    google.fail_for(issued[1].object_id, status, {"error": {"code": status, "message": message}})
    with pytest.raises(GoogleRefused) as caught:
        apply(google_client, issued)
    assert not caught.value.retry and caught.value.status == status
    assert message in str(caught.value) and issued[1].object_id in str(caught.value)


def test_a_malformed_object_is_refused_by_the_stand_in(
    google: GoogleStandIn, google_client: WalletClient, issued: tuple[Pass, GooglePass]
) -> None:
    p, gp = issued
    gp.object_json["loyaltyPoints"] = {"balance": {"int": "many"}}
    with pytest.raises(GoogleRefused, match=r"HTTP 400.*expected an integer") as caught:
        GoogleSync(google_client, MemoryNotificationBudget()).apply(
            p, gp, class_hash=hash_class(gp)
        )
    assert caught.value.status == 400
    assert google.object(gp.object_id)["loyaltyPoints"]["balance"] == {"int": 1250}


def test_a_refused_token_is_permanent_and_no_secret_is_shown(
    google: GoogleStandIn, issued: tuple[Pass, GooglePass]
) -> None:
    with google.client() as fresh:
        google.fail_token(400, {"error": "invalid_grant", "error_description": "Invalid JWT"})
        with pytest.raises(GoogleRefused, match="could not get an access token") as caught:
            apply(fresh, issued)
    text = str(caught.value)
    assert "PRIVATE KEY" not in text and ACCOUNT.private_key_id not in text


def test_a_failed_message_is_retried_without_patching_again(
    google: GoogleStandIn, google_client: WalletClient, issued: tuple[Pass, GooglePass]
) -> None:
    p, gp = issued
    sync = GoogleSync(google_client, MemoryNotificationBudget())
    note = Message(key="redeemed", header="Redeemed", body="Enjoy")
    google.fail_next(500, path="/addMessage")
    with pytest.raises(GoogleRetryLater, match="adding message 'redeemed'"):
        sync.apply(p, gp, status="redeemed", message=note, class_hash=hash_class(gp))
    assert google.object(gp.object_id)["state"] == "COMPLETED"  # the patch went through
    retried = sync.apply(p, gp, status="redeemed", message=note, class_hash=hash_class(gp))
    assert retried.patched_fields == () and retried.message_type is not None
    assert len(google.requests_to("PATCH")) == 1
    assert google.messages(gp.object_id)[-1]["id"] == "redeemed"


def test_sync_errors_are_passkit_errors() -> None:
    assert issubclass(GoogleSyncError, PasskitError)


def test_an_object_saved_between_the_read_and_the_insert_is_patched(
    google: GoogleStandIn, google_client: WalletClient
) -> None:
    p = sample_pass("loyalty")
    gp = compile_google(p, issuer_id=ISSUER_ID)
    google_client.upsert(gp)
    # Google answers the read as if the object were not there yet, then holds it.
    google.fail_next(404, path=f"loyaltyObject/{gp.object_id}")
    result = GoogleSync(google_client, MemoryNotificationBudget()).apply(
        p, gp, status="voided", class_hash=hash_class(gp)
    )
    assert result.inserted
    assert google.object(gp.object_id)["state"] == "INACTIVE"
    assert [r.status for r in google.requests[-3:]] == [404, 409, 200]
