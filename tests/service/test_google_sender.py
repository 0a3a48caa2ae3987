"""Registry changes reach Google through the outbox (the public Google stand-in): values,
state and change messages (three notifications a day, then plain text), the class patched
once, and Google's failures kept for later without holding up the Apple pushes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from passkit.batch.build_plan import GoogleCredentials
from passkit.devcerts import DevCertificates
from passkit.service import Registry
from passkit.service.apns import ApnsClient, CertificateAuth
from passkit.service.devices import DeviceStore
from passkit.service.google_sender import GoogleSender
from passkit.service.outbox import PENDING, Outbox
from passkit.testing import ApnsStandIn, GoogleStandIn

ISSUER = "3388000000012345678"
MEMBER = {"member_id": "4012883310", "member_name": "Ada", "points": 120, "tier": "Gold"}


def registry_for(
    tmp_path: Path, dev_certs: DevCertificates, google: GoogleStandIn, **options: Any
) -> Registry:
    credentials = GoogleCredentials.resolve(
        service_account=str(dev_certs.google_service_account), issuer_id=ISSUER
    )
    return Registry(
        f"sqlite:///{tmp_path / 'passes.db'}",
        apple=dev_certs.signer(),
        web_service_url="http://127.0.0.1:9/passes",
        secret="s" * 32,
        google=credentials,
        google_client=google.client(),
        **options,
    )


def object_id(serial: str) -> str:
    return f"{ISSUER}.loyalty.{serial}"


def held(google: GoogleStandIn, serial: str) -> str:
    return json.dumps(google.object(object_id(serial)))


def test_changes_reach_the_google_object(
    tmp_path: Path, dev_certs: DevCertificates, google: GoogleStandIn
) -> None:
    registry = registry_for(tmp_path, dev_certs, google, push=False)
    issued = registry.issue("loyalty", MEMBER)
    registry.update(issued.serial, {"points": 1250}, message="You now have 1,250 points")
    report = registry.push_pending()
    assert report.rows == 2  # the Apple row (no device) and the Google one
    assert "1250" in held(google, issued.serial)
    [message] = google.messages(object_id(issued.serial))
    assert message["body"] == "You now have 1,250 points"
    assert message["messageType"] == "TEXT_AND_NOTIFY"
    class_writes = len(google.requests_to("PATCH", "Class"))
    assert len(google.requests_to("POST", "Class")) == 1  # the class was not at Google
    registry.set_status(issued.serial, "redeemed")
    registry.push_pending()
    assert google.object(object_id(issued.serial))["state"] == "COMPLETED"
    # The layout did not change: the class is not written again.
    assert len(google.requests_to("PATCH", "Class")) == class_writes
    assert len(google.requests_to("POST", "Class")) == 1
    assert Outbox(registry.store.engine).count("google") == 0


def test_a_fourth_message_of_the_day_goes_as_text(
    tmp_path: Path, dev_certs: DevCertificates, google: GoogleStandIn
) -> None:
    registry = registry_for(tmp_path, dev_certs, google, push=False)
    issued = registry.issue("loyalty", MEMBER)
    for points in (200, 300, 400, 500):
        registry.update(issued.serial, {"points": points}, message=f"{points} points")
        registry.push_pending()
    kinds = [m["messageType"] for m in google.messages(object_id(issued.serial))]
    assert kinds == ["TEXT_AND_NOTIFY"] * 3 + ["TEXT"]


def test_google_failing_never_holds_up_apple_and_is_retried(
    tmp_path: Path, dev_certs: DevCertificates, google: GoogleStandIn
) -> None:
    with ApnsStandIn(client_ca=dev_certs.root) as apns:
        client = ApnsClient(
            CertificateAuth.from_signer(dev_certs.signer()), url=apns.url, ca_file=apns.ca_file
        )
        registry = registry_for(tmp_path, dev_certs, google, push=True, apns=client)
        with registry:
            issued = registry.issue("loyalty", MEMBER)
            stored = registry.get(issued.serial)
            assert stored is not None
            store = DeviceStore(registry.store.engine)
            store.register("d1", "ab" * 32, stored.pass_type_id, issued.serial)
            google.fail_for(issued.serial, 503)
            registry.update(issued.serial, {"points": 1250}, message="1,250 points")
            apns.wait_for(1)
            assert registry.wait_for_pushes()
            assert [push.token for push in apns.delivered] == ["ab" * 32]
            outbox = Outbox(registry.store.engine)
            assert outbox.count("google", PENDING) == 1
            assert outbox.count("apple", PENDING) == 0
    google.clear_failures()
    sender = GoogleSender(registry, google.client())
    with pytest.raises(KeyError):
        google.object(object_id(issued.serial))
    _make_due(registry)  # rather than wait out the back-off (30 s at first)
    assert sender.drain().rows == 1
    assert "1250" in held(google, issued.serial)
    assert outbox.count("google", PENDING) == 0


def _make_due(registry: Registry) -> None:
    from passkit.service.schema import outbox

    with registry.store.engine.begin() as connection:
        connection.execute(outbox.update().values(not_before=None))
