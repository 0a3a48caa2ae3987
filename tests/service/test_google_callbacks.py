"""Google Wallet save/delete callbacks: `ECv2SigningOnly` messages made here by openssl.

The keys, the signatures and the root key file are made with the openssl command and the
signed strings with `struct`, so the verifier (cryptography, int.to_bytes) is checked against
a second implementation of the documented construction.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from passkit.errors import PasskitError
from passkit.service.google_callbacks import (
    CallbackError,
    CallbackEvent,
    CallbackReplay,
    CallbackVerifier,
    MemoryNonceStore,
    load_root_keys,
)
from tests.service.callback_support import ISSUER, NOW, Google, Key, millis

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


@pytest.fixture(scope="module")
def google(tmp_path_factory: pytest.TempPathFactory) -> Google:
    folder = tmp_path_factory.mktemp("google-keys")
    return Google(
        Key.make(folder, "root"), Key.make(folder, "intermediate"), Key.make(folder, "other")
    )


@pytest.fixture
def verifier(google: Google, tmp_path: Path) -> CallbackVerifier:
    keys = load_root_keys(
        google.root_keys(tmp_path / "keys.json", expires=NOW + timedelta(days=365))
    )
    return CallbackVerifier(issuer_id=ISSUER, root_keys=keys)


def refused(verifier: CallbackVerifier, body: bytes, check: str) -> CallbackError:
    with pytest.raises(CallbackError) as caught:
        verifier.verify(body, now=NOW)
    assert caught.value.check == check, str(caught.value)
    assert str(caught.value).startswith(f"Google Wallet callback refused ({check}): ")
    assert isinstance(caught.value, PasskitError)
    return caught.value


def test_a_genuine_save_and_delete(google: Google, verifier: CallbackVerifier) -> None:
    event = verifier.verify(google.body(), now=NOW)
    assert event == CallbackEvent(
        class_id=f"{ISSUER}.lumen_loyalty",
        object_id=f"{ISSUER}.lumen-4012883310",
        event_type="save",
        nonce="nonce-1",
        exp_time_millis=millis(NOW + timedelta(minutes=5)),
    )
    assert event.saved
    removed = verifier.verify(google.body(event="del", nonce="nonce-2"), now=NOW)
    assert removed.event_type == "del" and not removed.saved


def test_a_root_key_made_elsewhere_is_refused(google: Google, tmp_path: Path) -> None:
    keys_of_other = json.dumps(
        {"keys": [{"keyValue": google.other.spki_base64(), "protocolVersion": "ECv2SigningOnly"}]}
    )
    verifier = CallbackVerifier(issuer_id=ISSUER, root_keys=load_root_keys(keys_of_other))
    error = refused(verifier, google.body(), "intermediate key signature")
    assert "1 valid root keys" in str(error)


def test_an_intermediate_key_signed_by_another_key(
    google: Google, verifier: CallbackVerifier
) -> None:
    refused(verifier, google.body(key_signer=google.other), "intermediate key signature")


def test_a_message_signed_by_another_key(google: Google, verifier: CallbackVerifier) -> None:
    refused(verifier, google.body(message_signer=google.other), "message signature")


def test_an_altered_message(google: Google, verifier: CallbackVerifier) -> None:
    body = google.body().replace(b'\\"save\\"', b'\\"del\\"')
    assert b'\\"del\\"' in body
    refused(verifier, body, "message signature")


def test_an_expired_intermediate_key(google: Google, verifier: CallbackVerifier) -> None:
    error = refused(
        verifier, google.body(key_expires=NOW - timedelta(seconds=1)), "intermediate key expired"
    )
    assert "2026-12-06 09:29:59" in str(error)


def test_an_expired_root_key(google: Google, tmp_path: Path) -> None:
    keys = load_root_keys(google.root_keys(tmp_path / "old.json", expires=NOW - timedelta(days=1)))
    verifier = CallbackVerifier(issuer_id=ISSUER, root_keys=keys)
    refused(verifier, google.body(), "root keys")


def test_an_expired_message(google: Google, verifier: CallbackVerifier) -> None:
    error = refused(verifier, google.body(expires=NOW - timedelta(minutes=1)), "message expired")
    assert "09:29:00" in str(error)


def test_a_message_for_another_issuer(google: Google, verifier: CallbackVerifier) -> None:
    other = "3388000000099999999"
    error = refused(
        verifier, google.body(recipient=other, issuer_in_ids=other), "message signature"
    )
    assert f"recipient (issuer id) {ISSUER}" in str(error)
    # signed for us, but naming another issuer's class and object
    refused(verifier, google.body(issuer_in_ids=other), "recipient")


def test_another_sender_id_is_refused(google: Google, verifier: CallbackVerifier) -> None:
    impostor = Google(google.root, google.intermediate, google.other, sender="Google")
    refused(verifier, impostor.body(), "intermediate key signature")


def test_a_replayed_nonce(google: Google, verifier: CallbackVerifier) -> None:
    body = google.body(nonce="once")
    verifier.verify(body, now=NOW)
    with pytest.raises(CallbackReplay, match="'once' was already delivered"):
        verifier.verify(body, now=NOW + timedelta(seconds=10))
    # a refused message is not remembered: its nonce stays usable
    refused(verifier, google.body(nonce="later", message_signer=google.other), "message signature")
    assert verifier.verify(google.body(nonce="later"), now=NOW).nonce == "later"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{not json",
        b"[]",
        b'{"protocolVersion": "ECv2"}',
        b'{"protocolVersion": "ECv2SigningOnly", "signature": "x", "signedMessage": "{}"}',
        b'{"protocolVersion": "ECv2SigningOnly", "signature": "x", "signedMessage": "{}",'
        b' "intermediateSigningKey": {"signedKey": "{}", "signatures": []}}',
        b"\xff\xfe",
        b"[" * 5000 + b"]" * 5000,
    ],
)
def test_malformed_bodies(verifier: CallbackVerifier, body: bytes) -> None:
    refused(verifier, body, "body")


def test_malformed_signed_parts(google: Google, verifier: CallbackVerifier) -> None:
    envelope = json.loads(google.body())
    envelope["intermediateSigningKey"]["signatures"] = ["not base64!"]
    refused(verifier, json.dumps(envelope).encode(), "intermediate key signature")


def test_an_oversized_body(google: Google, verifier: CallbackVerifier) -> None:
    envelope = json.loads(google.body())
    envelope["padding"] = "x" * 20_000
    error = refused(verifier, json.dumps(envelope).encode(), "body")
    assert "more than 16384" in str(error)


def test_root_key_files_are_checked(tmp_path: Path) -> None:
    with pytest.raises(CallbackError, match="cannot read"):
        load_root_keys(tmp_path / "missing.json")
    with pytest.raises(CallbackError, match="keys"):
        load_root_keys('{"keys": []}')
    with pytest.raises(CallbackError, match=r"keys\[0\] is not a base64"):
        load_root_keys('{"keys": [{"keyValue": "AAAA", "protocolVersion": "ECv2SigningOnly"}]}')


def test_memory_nonce_store_stays_bounded() -> None:
    store = MemoryNonceStore(max_entries=3)
    soon, later = NOW + timedelta(minutes=1), NOW + timedelta(hours=1)

    def add(nonce: str, expires_at: datetime, now: datetime = NOW) -> bool:
        return store.add_if_new(nonce, expires_at=expires_at, now=now)

    assert add("a", soon) and add("b", later) and add("c", later)
    assert not add("a", soon)
    # full, and nothing has expired yet: the soonest-expiring nonce makes room
    assert add("d", later)
    assert not add("b", later) and not add("c", later) and not add("d", later)
    assert add("a", soon)  # makes room by forgetting "b"
    # two minutes on, "a" has expired and is the one forgotten
    assert add("e", later, now=NOW + timedelta(minutes=2))
    assert not add("c", later) and not add("d", later) and not add("e", later)
