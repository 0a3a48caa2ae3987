"""Registry changes applied to Google Wallet objects, against the public Google stand-in:
states, values, validity, locations, the class patched once, and change messages within the
daily notification quota (then plain TEXT)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from passkit.errors import DataError, GoogleApiError
from passkit.google import GooglePass, WalletClient, compile_google
from passkit.model import Message, Pass
from passkit.service.google_sync import GoogleSync, GoogleSyncResult, hash_class, object_patch
from passkit.service.notification_budget import MemoryNotificationBudget
from passkit.testing import GoogleStandIn
from tests.support.google import CET, ISSUER_ID, sample_pass

DAY = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def rendered(points: int = 1250, **overrides: Any) -> tuple[Pass, GooglePass]:
    header = [{"key": "points", "label": "Points", "value": points}]
    p = sample_pass("loyalty", header=header, **overrides)
    return p, compile_google(p, issuer_id=ISSUER_ID)


@pytest.fixture
def sync(google_client: WalletClient) -> GoogleSync:
    return GoogleSync(google_client, MemoryNotificationBudget(), clock=lambda: DAY)


def issued(google_client: WalletClient, **overrides: Any) -> tuple[Pass, GooglePass]:
    p, gp = rendered(**overrides)
    google_client.upsert(gp)
    return p, gp


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("active", "ACTIVE"),
        ("redeemed", "COMPLETED"),
        ("voided", "INACTIVE"),
        ("expired", "EXPIRED"),
    ],
)
def test_every_status_becomes_googles_state(
    google: GoogleStandIn, google_client: WalletClient, sync: GoogleSync, status: str, state: str
) -> None:
    p, gp = issued(google_client)
    google_client.patch_object(
        gp.kind, gp.object_id, {"state": "INACTIVE" if state == "ACTIVE" else "ACTIVE"}
    )
    result = sync.apply(p, gp, status=status, class_hash=hash_class(gp))
    assert google.object(gp.object_id)["state"] == state
    assert result.patched_fields == ("state",)


def test_an_unknown_status_is_refused_before_anything_is_sent(
    google: GoogleStandIn, sync: GoogleSync
) -> None:
    p, gp = rendered()
    with pytest.raises(DataError, match="'lost' is not one of active, redeemed"):
        sync.apply(p, gp, status="lost")
    assert google.requests == []


def test_changed_values_are_patched_and_an_unchanged_pass_is_not(
    google: GoogleStandIn, google_client: WalletClient, sync: GoogleSync
) -> None:
    _, gp = issued(google_client)
    p, changed = rendered(points=1300)
    result = sync.apply(p, changed, class_hash=hash_class(changed))
    assert result.patched_fields == ("loyaltyPoints",)
    assert google.object(gp.object_id)["loyaltyPoints"]["balance"] == {"int": 1300}
    again = sync.apply(p, changed, class_hash=result.class_hash)
    assert again.patched_fields == () and not again.class_patched
    assert len(google.requests_to("PATCH")) == 1


def test_validity_and_locations_follow_the_pass(
    google: GoogleStandIn, google_client: WalletClient, sync: GoogleSync
) -> None:
    _, gp = issued(google_client)
    later = datetime(2027, 6, 30, 23, 59, tzinfo=CET)
    moved = [{"latitude": 48.137, "longitude": 11.575}]
    p, changed = rendered(expiration_date=later, locations=moved)
    result = sync.apply(p, changed, class_hash=hash_class(changed))
    stored = google.object(gp.object_id)
    assert stored["validTimeInterval"] == {"end": {"date": later.isoformat()}}
    assert stored["merchantLocations"] == [{"latitude": 48.137, "longitude": 11.575}]
    assert set(result.patched_fields) == {"validTimeInterval", "merchantLocations"}
    p, nowhere = rendered(expiration_date=later, locations=[])
    sync.apply(p, nowhere, class_hash=hash_class(nowhere))
    assert google.object(gp.object_id)["merchantLocations"] == []


def test_the_class_is_patched_once_per_layout_change(
    google: GoogleStandIn, google_client: WalletClient, sync: GoogleSync
) -> None:
    p, gp = issued(google_client)
    first = sync.apply(p, gp)  # no hash kept yet: the class is sent
    assert first.class_patched and first.class_hash == hash_class(gp)
    for _ in range(2):
        assert not sync.apply(p, gp, class_hash=first.class_hash).class_patched
    recolored, regp = rendered(background_color="#7a1f1f")
    second = sync.apply(recolored, regp, class_hash=first.class_hash)
    assert second.class_patched and second.class_hash != first.class_hash
    assert not sync.apply(recolored, regp, class_hash=second.class_hash).class_patched
    assert len(google.requests_to("PATCH", "loyaltyClass/")) == 2
    assert google.class_(gp.class_id)["hexBackgroundColor"] == "#7a1f1f"


def test_an_object_google_lacks_is_inserted_with_its_class(
    google: GoogleStandIn, sync: GoogleSync
) -> None:
    p, gp = rendered()
    result = sync.apply(p, gp, status="redeemed", class_hash=hash_class(gp))
    assert result.inserted and not result.class_patched
    assert google.object(gp.object_id)["state"] == "COMPLETED"
    assert google.class_(gp.class_id)["id"] == gp.class_id


def message(n: int) -> Message:
    return Message(key=f"change{n}", header="Balance", body=f"You now have {1300 + n} points")


def test_the_fourth_message_of_a_day_is_plain_text(
    google: GoogleStandIn,
    google_client: WalletClient,
    sync: GoogleSync,
    caplog: pytest.LogCaptureFixture,
) -> None:
    p, gp = issued(google_client)
    kept = hash_class(gp)
    sent = [
        sync.apply(p, gp, message=message(n), class_hash=kept, now=DAY + timedelta(hours=n))
        for n in range(3)
    ]
    assert [r.message_type for r in sent] == ["TEXT_AND_NOTIFY"] * 3
    assert not any(r.fell_back for r in sent)
    with caplog.at_level(logging.INFO, logger="passkit.service.google_sync"):
        fourth = sync.apply(
            p, gp, message=message(3), class_hash=kept, now=DAY + timedelta(hours=4)
        )
    assert (fourth.message_type, fourth.fell_back) == ("TEXT", True)
    assert "three notifications" in fourth.notices[0] and fourth.notices[0] in caplog.text
    types = [m["messageType"] for m in google.messages(gp.object_id)[1:]]
    assert types == ["TEXT_AND_NOTIFY"] * 3 + ["TEXT"]
    # Google would have refused a fourth notification that day.
    notify = {"id": "x", "header": "h", "body": "b", "messageType": "TEXT_AND_NOTIFY"}
    with pytest.raises(GoogleApiError) as caught:
        google_client.add_message(gp.kind, gp.object_id, notify)
    assert (caught.value.status, caught.value.reason) == (403, "quotaExceeded")
    # A day after the first, the budget and Google's quota allow one again.
    google.advance(timedelta(hours=24))
    fifth = sync.apply(p, gp, message=message(4), class_hash=kept, now=DAY + timedelta(hours=24))
    assert fifth.message_type == "TEXT_AND_NOTIFY"


def test_a_notification_google_refuses_goes_as_text(
    google: GoogleStandIn, google_client: WalletClient
) -> None:
    p, gp = issued(google_client)
    notify = {"header": "h", "body": "b", "messageType": "TEXT_AND_NOTIFY"}
    for n in range(3):  # another sender used today's quota
        google_client.add_message(gp.kind, gp.object_id, {**notify, "id": f"other{n}"})
    fresh = GoogleSync(google_client, MemoryNotificationBudget())
    result = fresh.apply(p, gp, message=message(1), class_hash=hash_class(gp))
    assert (result.message_type, result.fell_back) == ("TEXT", True)
    assert google.messages(gp.object_id)[-1]["messageType"] == "TEXT"


def test_change_messages_survive_later_patches(
    google: GoogleStandIn, google_client: WalletClient, sync: GoogleSync
) -> None:
    p, gp = issued(google_client)
    sync.apply(p, gp, message=message(1), class_hash=hash_class(gp))
    p, changed = rendered(points=1400)
    result: GoogleSyncResult = sync.apply(p, changed, class_hash=hash_class(changed))
    assert "loyaltyPoints" in result.patched_fields
    ids = [m["id"] for m in google.messages(gp.object_id)]
    assert ids == ["welcome", "change1"]


def test_the_memory_budget_gives_three_a_day_even_to_racing_senders() -> None:
    import threading

    budget = MemoryNotificationBudget()
    taken: list[bool] = []
    barrier = threading.Barrier(8)

    def take() -> None:
        barrier.wait()
        taken.append(budget.take("obj", DAY))

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == [False] * 5 + [True] * 3
    assert budget.used("obj", DAY + timedelta(hours=23, minutes=59)) == 3
    assert budget.take("obj", DAY + timedelta(hours=24))
    assert budget.take("other", DAY)


def test_the_kind_names_google_adds_do_not_count_as_changes() -> None:
    _, gp = rendered()
    desired = dict(gp.object_json)
    stored = json.loads(json.dumps(desired))
    stored["kind"] = "walletobjects#loyaltyObject"
    stored["barcode"]["kind"] = "walletobjects#barcode"
    stored["messages"][0]["kind"] = "walletobjects#walletObjectMessage"
    assert object_patch(stored, desired) == {}
    stored["barcode"]["value"] = "OLD"
    assert object_patch(stored, desired) == {"barcode": desired["barcode"]}


def test_a_message_given_as_text_is_headed_with_the_organization(
    google: GoogleStandIn, google_client: WalletClient, sync: GoogleSync
) -> None:
    p, gp = issued(google_client)
    result = sync.apply(p, gp, message="Your balance is 1300 points", class_hash=hash_class(gp))
    assert result.message_type == "TEXT_AND_NOTIFY"
    added = google.messages(gp.object_id)[-1]
    assert (added["header"], added["body"]) == ("Acme Coffee", "Your balance is 1300 points")
    assert added["id"] == f"change-{int(DAY.timestamp() * 1000)}"


def test_a_first_change_to_a_pass_google_never_saw_inserts_class_and_object(
    google: GoogleStandIn, sync: GoogleSync
) -> None:
    p, gp = rendered()
    result = sync.apply(p, gp, status="expired")
    assert result.class_patched and result.inserted
    assert google.class_(gp.class_id) == gp.class_json
    assert google.object(gp.object_id)["state"] == "EXPIRED"
    assert [(r.method, r.status) for r in google.requests] == [
        ("PATCH", 404),
        ("POST", 200),
        ("GET", 404),
        ("POST", 200),
    ]
