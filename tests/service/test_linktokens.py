"""Issuance-link tokens: sealed with AES-GCM, opened only intact, by a known key, in time."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given, settings
from hypothesis import strategies as st

from passkit.errors import PasskitError
from passkit.service.linktokens import (
    MAX_TOKEN_CHARS,
    LinkExpired,
    LinkKeyring,
    LinkKeyringError,
    LinkKeyUnknown,
    LinkKind,
    LinkPayload,
    LinkTokenError,
    LinkTokenInvalid,
)

OLD = "old-secret-0123456789abcdefghijklmnop"
NEW = "new-secret-0123456789abcdefghijklmnop"
NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def payload(**changes: Any) -> LinkPayload:
    values: dict[str, Any] = {
        "layout": "loyalty",
        "prefill": {"member_id": "4012883310", "member_name": "Ada Lovelace", "points": 120},
        "expires_at": NOW + timedelta(days=30),
        "max_uses": 1,
        "kind": LinkKind.PERSONAL,
    }
    values.update(changes)
    return LinkPayload(**values)


def unpadded(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def encoded(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_round_trip_gives_back_every_field() -> None:
    keyring = LinkKeyring({"2026-12": NEW}, current="2026-12")
    sealed = payload(kind="campaign", max_uses=500)
    opened = keyring.open(keyring.seal(sealed), now=NOW)
    assert opened == sealed
    assert opened.kind is LinkKind.CAMPAIGN and opened.max_uses == 500
    assert len(opened.link_id) >= 21  # 128 random bits


def test_the_token_is_opaque_and_decrypts_with_an_independent_derivation() -> None:
    """The documented construction, done here by hand: HKDF-SHA256 with the key id in the info,
    the version and key id as associated data, a 96-bit nonce."""
    keyring = LinkKeyring({"k7": NEW}, current="k7")
    token = keyring.seal(payload())
    assert "Lovelace" not in token and "loyalty" not in token
    raw = unpadded(token)
    assert raw[0] == 1 and raw[1] == 2 and raw[2:4] == b"k7"
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"passkit issuance links",
        info=b"passkit-link-v1:k7",
    ).derive(NEW.encode())
    plain = AESGCM(key).decrypt(raw[4:16], raw[16:], raw[:4])
    assert json.loads(plain)["p"]["member_name"] == "Ada Lovelace"
    # two seals of the same payload differ (fresh nonce) and both open
    again = keyring.seal(payload())
    assert again != token and unpadded(again)[4:16] != raw[4:16]


def test_every_byte_flipped_is_refused() -> None:
    keyring = LinkKeyring({"k1": NEW}, current="k1")
    raw = unpadded(keyring.seal(payload()))
    for index in range(len(raw)):
        for bit in (0x01, 0x80):
            altered = bytearray(raw)
            altered[index] ^= bit
            with pytest.raises(LinkTokenError):
                keyring.open(encoded(bytes(altered)), now=NOW)


def test_every_character_changed_is_refused() -> None:
    """Text tokens too: the last character's unused base64 bits cannot be varied."""
    keyring = LinkKeyring({"k1": NEW}, current="k1")
    token = keyring.seal(payload(prefill={}))
    for index, char in enumerate(token):
        for other in {"A", "B", "Q", "-", "_"} - {char}:
            with pytest.raises(LinkTokenError):
                keyring.open(token[:index] + other + token[index + 1 :], now=NOW)


def test_truncated_and_foreign_tokens_say_so() -> None:
    keyring = LinkKeyring({"k1": NEW}, current="k1")
    token = keyring.seal(payload())
    for broken in (token[:10], token[:-2], "", "not a token!", "AQ", token + "A" * 3):
        with pytest.raises(LinkTokenInvalid, match="link"):
            keyring.open(broken, now=NOW)
    with pytest.raises(LinkTokenInvalid, match="format 2"):
        keyring.open(encoded(b"\x02" + unpadded(token)[1:]), now=NOW)


def test_wrong_key_is_refused_as_altered() -> None:
    ours = LinkKeyring({"k1": NEW}, current="k1")
    theirs = LinkKeyring({"k1": OLD}, current="k1")
    with pytest.raises(LinkTokenInvalid, match="altered"):
        ours.open(theirs.seal(payload()), now=NOW)


def test_rotation_keeps_old_links_until_their_key_is_removed() -> None:
    before = LinkKeyring.from_text(f"2026-06:{OLD}")
    old_token = before.seal(payload())
    after = LinkKeyring.from_text(f"2026-12:{NEW}, 2026-06:{OLD}")
    assert after.current == "2026-12" and after.kids == ("2026-12", "2026-06")
    assert after.open(old_token, now=NOW).prefill["member_id"] == "4012883310"
    new_token = after.seal(payload())
    assert unpadded(new_token)[2:9] == b"2026-12"
    with pytest.raises(LinkKeyUnknown, match="'2026-12'") as refused:
        before.open(new_token, now=NOW)
    assert refused.value.kid == "2026-12"
    dropped = LinkKeyring.from_text(f"2026-12:{NEW}")
    assert dropped.open(new_token, now=NOW).layout == "loyalty"
    with pytest.raises(LinkKeyUnknown, match="does not have"):
        dropped.open(old_token, now=NOW)


def test_expiry_says_when() -> None:
    keyring = LinkKeyring({"k1": NEW}, current="k1")
    ends = datetime(2026, 12, 31, 23, 59, 30, tzinfo=UTC)
    token = keyring.seal(payload(expires_at=ends))
    assert keyring.open(token, now=ends - timedelta(seconds=1)).expires_at == ends
    with pytest.raises(LinkExpired, match="expired on 2026-12-31 at 23:59:30 UTC") as refused:
        keyring.open(token, now=ends)
    assert refused.value.expired_at == ends
    assert refused.value.payload.layout == "loyalty"
    forever = keyring.seal(payload(expires_at=None, max_uses=None))
    assert keyring.open(forever, now=NOW + timedelta(days=3650)).expires_at is None


def test_token_length_is_bounded_both_ways() -> None:
    keyring = LinkKeyring({"k1": NEW}, current="k1")
    with pytest.raises(LinkTokenError, match="pre-fill fewer"):
        keyring.seal(payload(prefill={"note": "x" * 2000}))
    with pytest.raises(LinkTokenInvalid, match="more than a passkit link"):
        keyring.open("A" * (MAX_TOKEN_CHARS + 1), now=NOW)


def test_payload_refuses_what_cannot_travel() -> None:
    with pytest.raises(LinkTokenError, match=r"prefill 'day'.*2026-12-01"):
        payload(prefill={"day": datetime(2026, 12, 1).date()})
    with pytest.raises(LinkTokenError, match="finite"):
        payload(prefill={"points": float("nan")})
    with pytest.raises(LinkTokenError, match="time zone"):
        payload(expires_at=datetime(2026, 12, 1))
    with pytest.raises(LinkTokenError, match="max_uses"):
        payload(max_uses=0)
    with pytest.raises(ValueError):
        payload(kind="everyone")


def test_keyring_configuration_errors_never_show_the_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(LinkKeyringError, match="at least 32") as short:
        LinkKeyring.from_text("k1:tooshortsecret")
    assert "tooshortsecret" not in str(short.value)
    with pytest.raises(LinkKeyringError, match="entry 2"):
        LinkKeyring.from_text(f"k1:{NEW},{OLD}")
    with pytest.raises(LinkKeyringError, match="twice"):
        LinkKeyring.from_text(f"k1:{NEW},k1:{OLD}")
    with pytest.raises(LinkKeyringError, match="current key id"):
        LinkKeyring({"k1": NEW}, current="k2")
    monkeypatch.delenv("PASSKIT_SERVICE_SECRET", raising=False)
    with pytest.raises(LinkKeyringError, match="PASSKIT_SERVICE_SECRET is not set"):
        LinkKeyring.from_env()
    monkeypatch.setenv("PASSKIT_SERVICE_SECRET", NEW)
    single = LinkKeyring.from_env()
    assert single.kids == ("k0",)
    assert isinstance(LinkKeyringError("x"), PasskitError)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(prefill=st.dictionaries(st.text(min_size=1, max_size=12), json_values, max_size=5))
def test_any_json_prefill_round_trips(prefill: dict[str, Any]) -> None:
    keyring = LinkKeyring({"k1": NEW}, current="k1")
    sealed = payload(prefill=prefill)
    try:
        token = keyring.seal(sealed)
    except LinkTokenError as too_long:
        assert "pre-fill fewer" in str(too_long)
        return
    assert len(token) <= MAX_TOKEN_CHARS
    assert keyring.open(token, now=NOW).prefill == prefill
