"""The sender: a change reaches every device holding the pass through APNs (the public
`ApnsStandIn`, over TLS and HTTP/2), each device fetches the new pass, and APNs's answers
remove registrations, keep changes for later, or stop the sender."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from passkit.apple.signing import AppleSigner
from passkit.errors import ApnsRefusedError
from passkit.service import Registry
from passkit.service.apns import ApnsClient, CertificateAuth, RetryPolicy
from passkit.service.devices import DeviceStore
from passkit.service.outbox import PENDING, SENDING, Outbox
from passkit.service.sender import RowBackoff, Sender
from passkit.service.state import WalletState
from passkit.testing import (
    ApnsAnswer,
    ApnsPush,
    ApnsStandIn,
    GoogleStandIn,
    WalletDevice,
    assert_field,
)
from passkit.testing.plugin import DEV_ISSUER_ID
from passkit.testing.service import PasskitService
from tests.service.support import registry_at

MEMBER = {"member_id": "4012883310", "member_name": "Ada", "points": 120, "tier": "Gold"}


def test_an_update_reaches_three_devices_which_fetch_the_new_pass(
    passkit_service: PasskitService,
    wallet_device: Callable[..., WalletDevice],
    apns_stand_in: ApnsStandIn,
    passkit_dev_signer: AppleSigner,
) -> None:
    registry = passkit_service.registry
    issued = registry.issue("loyalty", MEMBER)
    devices = [wallet_device() for _ in range(3)]
    synced: dict[str, list[str]] = {}
    for device in devices:
        device.add(issued.pkpass)

        def phone(push: ApnsPush, device: WalletDevice = device) -> None:
            synced[device.device_id] = device.sync()

        apns_stand_in.wake(device.push_token, phone)

    registry.update(issued.serial, {"points": 1250}, message="You now have 1,250 points")
    pushes = apns_stand_in.wait_for(3)

    assert sorted(push.token for push in pushes) == sorted(d.push_token for d in devices)
    assert {push.topic for push in pushes} == {passkit_dev_signer.pass_type_id}
    assert {push.payload for push in pushes} == {b"{}"}
    assert synced == {device.device_id: [issued.serial] for device in devices}
    for device in devices:
        assert_field(device.passes[issued.serial], "points", 1250)
    assert registry.wait_for_pushes()
    assert Outbox(registry.store.engine).count("apple") == 0
    assert Outbox(registry.store.engine).count("apple", SENDING) == 0


def test_410_and_400_remove_the_registration(
    passkit_service: PasskitService,
    wallet_device: Callable[..., WalletDevice],
    apns_stand_in: ApnsStandIn,
) -> None:
    registry = passkit_service.registry
    issued = registry.issue("loyalty", MEMBER)
    gone, bad, kept = wallet_device(), wallet_device(), wallet_device()
    for device in (gone, bad, kept):
        device.add(issued.pkpass)
    apns_stand_in.answer(gone.push_token, 410)
    apns_stand_in.answer(bad.push_token, ApnsAnswer(400, "BadDeviceToken"))

    registry.update(issued.serial, {"points": 1250})
    apns_stand_in.wait_for(3)
    assert registry.wait_for_pushes()

    holders = DeviceStore(registry.store.engine).registered(issued.serial)
    assert holders == [(kept.device_id, kept.push_token)]
    stored = registry.get(issued.serial)
    assert stored is not None and stored.wallet_state is WalletState.INSTALLED
    # The last device goes too: the pass is marked removed from wallets.
    apns_stand_in.answer(kept.push_token, 410)
    registry.update(issued.serial, {"points": 1300})
    apns_stand_in.wait_for(4)
    assert registry.wait_for_pushes()
    stored = registry.get(issued.serial)
    assert stored is not None and stored.wallet_state is WalletState.REMOVED
    assert DeviceStore(registry.store.engine).registered(issued.serial) == []
    # A device that adds the pass again holds it again.
    wallet_device().add(issued.pkpass)
    stored = registry.get(issued.serial)
    assert stored is not None and stored.wallet_state is WalletState.INSTALLED


@pytest.fixture
def quiet_registry(tmp_path: Path, passkit_dev_signer: AppleSigner) -> Registry:
    """A registry that leaves its outbox to the sender a test drives."""
    return registry_at(f"sqlite:///{tmp_path / 'passes.db'}", passkit_dev_signer)


def _client(signer: AppleSigner, apns: ApnsStandIn) -> ApnsClient:
    return ApnsClient(
        CertificateAuth.from_signer(signer),
        url=apns.url,
        ca_file=apns.ca_file,
        retry=RetryPolicy(attempts=2, first_delay=0.01, max_delay=0.02),
    )


def _changed(registry: Registry, tokens: list[str]) -> str:
    """A pass held by devices with these tokens, changed once since; its serial."""
    issued = registry.issue("loyalty", MEMBER)
    _register(registry, issued.serial, tokens)
    registry.update(issued.serial, {"points": 1250})
    return issued.serial


def _register(registry: Registry, serial: str, tokens: list[str]) -> None:
    stored = registry.get(serial)
    assert stored is not None
    store = DeviceStore(registry.store.engine)
    for index, token in enumerate(tokens):
        assert store.register(f"device{index:04d}{serial}", token, stored.pass_type_id, serial)


@pytest.mark.parametrize("busy", [429, 500])
def test_a_busy_apns_keeps_the_change_and_a_later_drain_delivers_it(
    busy: int,
    quiet_registry: Registry,
    apns_stand_in: ApnsStandIn,
    passkit_dev_signer: AppleSigner,
) -> None:
    issued = quiet_registry.issue("loyalty", MEMBER)
    tokens = ["ab" * 32, "cd" * 32]
    _register(quiet_registry, issued.serial, tokens)
    apns_stand_in.answer(tokens[0], busy, busy)  # both of the client's attempts
    quiet_registry.update(issued.serial, {"points": 1250})
    engine = quiet_registry.store.engine
    with _client(passkit_dev_signer, apns_stand_in) as client:
        sender = Sender(engine, client, backoff=RowBackoff(first=0.5, most=0.5))
        first = sender.drain()
        assert (first.kept, first.rows, first.delivered) == (1, 0, 1)
        assert Outbox(engine).count("apple", PENDING) == 1
        assert sender.drain().pushes == 0  # not due yet: backing off
        time.sleep(0.6)
        later = sender.drain()
    assert (later.rows, later.delivered, later.kept) == (1, 2, 0)
    assert Outbox(engine).count("apple", PENDING) == 0
    answered = [(push.token, push.status) for push in apns_stand_in.pushes]
    assert answered.count((tokens[0], busy)) == 2
    assert answered.count((tokens[0], 200)) == 1


def test_refused_credentials_stop_the_sender_and_keep_the_change(
    quiet_registry: Registry, apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    _changed(quiet_registry, ["ab" * 32])
    apns_stand_in.answer("ab" * 32, ApnsAnswer(403, "BadCertificate"))
    engine = quiet_registry.store.engine
    with _client(passkit_dev_signer, apns_stand_in) as client:
        with pytest.raises(ApnsRefusedError, match="BadCertificate"):
            Sender(engine, client).drain()
        assert Outbox(engine).count("apple", PENDING) == 1
        # Fixed (here: APNs takes it now), the same change goes out.
        assert Sender(engine, client).drain().delivered == 1


def test_the_background_sender_stops_with_the_error(
    tmp_path: Path, apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    apns_stand_in.answer_next(ApnsAnswer(403, "BadCertificate"))
    with registry_at(
        f"sqlite:///{tmp_path / 'passes.db'}",
        passkit_dev_signer,
        push=True,
        apns=_client(passkit_dev_signer, apns_stand_in),
    ) as registry:
        issued = registry.issue("loyalty", MEMBER)
        _register(registry, issued.serial, ["ab" * 32])
        registry.update(issued.serial, {"points": 1250})
        with pytest.raises(ApnsRefusedError, match="BadCertificate"):
            registry.wait_for_pushes()
        assert Outbox(registry.store.engine).count("apple", PENDING) == 1


def test_changes_made_before_the_push_go_out_as_one(
    quiet_registry: Registry, apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    issued = quiet_registry.issue("loyalty", MEMBER)
    _register(quiet_registry, issued.serial, ["ab" * 32, "cd" * 32])
    quiet_registry.update(issued.serial, {"points": 1250}, message="first")
    quiet_registry.update(issued.serial, {"points": 1300}, message="second")
    quiet_registry.set_status(issued.serial, "redeemed")
    engine = quiet_registry.store.engine
    assert Outbox(engine).count("apple") == 1
    with _client(passkit_dev_signer, apns_stand_in) as client:
        report = Sender(engine, client).drain()
    assert (report.rows, report.delivered) == (1, 2)
    assert len(apns_stand_in.pushes) == 2


def test_a_change_made_while_its_push_is_sent_is_pushed_again(
    quiet_registry: Registry, apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    serial = _changed(quiet_registry, ["ab" * 32])
    engine = quiet_registry.store.engine
    outbox = Outbox(engine)
    [claimed] = outbox.claim("apple", 10, lease=60)
    quiet_registry.update(serial, {"points": 1300})  # while the first is in flight
    with _client(passkit_dev_signer, apns_stand_in) as client:
        sender = Sender(engine, client)
        assert sender.send([claimed]).rows == 1
        assert outbox.count("apple", PENDING) == 1
        assert sender.drain().rows == 1
    assert len(apns_stand_in.delivered) == 2


def test_a_long_batch_renews_its_claim(
    quiet_registry: Registry, apns_stand_in: ApnsStandIn, passkit_dev_signer: AppleSigner
) -> None:
    _changed(quiet_registry, [f"{index:064x}" for index in range(1, 7)])
    apns_stand_in.default = ApnsAnswer(delay=0.3)
    engine = quiet_registry.store.engine
    # Each chunk of two tokens takes longer than the lease: without renewal, a second sender
    # would take the row while the first is still pushing it.
    with _client(passkit_dev_signer, apns_stand_in) as client:
        sender = Sender(engine, client, lease=0.5, chunk=2)
        rows = sender.outbox.claim("apple", 10, sender.lease)
        taken: list[int] = []

        def other_sender(push: ApnsPush) -> None:
            taken.extend(row.id for row in Outbox(engine).claim("apple", 10, 60))

        apns_stand_in.on_push(other_sender)
        assert sender.send(rows).rows == 1
    apns_stand_in.wait_for(6)
    assert taken == []
    assert len(apns_stand_in.delivered) == 6


def test_the_service_applies_each_change_to_google_too(
    passkit_service: PasskitService,
    wallet_device: Callable[..., WalletDevice],
    apns_stand_in: ApnsStandIn,
    google_stand_in: GoogleStandIn,
) -> None:
    registry = passkit_service.registry
    issued = registry.issue("loyalty", MEMBER)
    assert issued.google_link is not None
    device = wallet_device()
    device.add(issued.pkpass)
    registry.update(issued.serial, {"points": 1250}, message="You now have 1,250 points")
    apns_stand_in.wait_for(1)
    assert registry.wait_for_pushes()
    object_id = f"{DEV_ISSUER_ID}.loyalty.{issued.serial}"
    assert "1250" in json.dumps(google_stand_in.object(object_id))
    [message] = google_stand_in.messages(object_id)
    assert (message["body"], message["messageType"]) == (
        "You now have 1,250 points",
        "TEXT_AND_NOTIFY",
    )
    assert device.sync() == [issued.serial]
