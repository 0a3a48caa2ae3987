"""Save links written the fast way (orjson for the object, the claims around `iat` written once
per account and origins, base64url straight from binascii) must be, byte for byte, the links of
the plain way: json for every part, the base64 module, and the key's own sign call."""

from __future__ import annotations

import base64
import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passkit.google import GooglePass, ServiceAccount, compile_google, save_link
from passkit.google.credentials import (
    b64url,
    b64url_length,
    compact_json,
    compact_json_plain,
    plain_float,
)
from passkit.google.links import SAVE_URL, save_claims, save_claims_text
from passkit.layout import fixture_for, load_layout, shipped_layouts
from passkit.model import Location, Pass
from tests.support.google import ISSUER_ID, KIND_DATA, NOW, account_json, make_account, sample_pass

LAYOUTS = shipped_layouts()


@pytest.fixture(scope="module")
def account() -> ServiceAccount:
    return make_account()


def plain_link(
    gp: GooglePass,
    account: ServiceAccount,
    *,
    origins: tuple[str, ...] = (),
    now: datetime = NOW,
    max_length: int = 1800,
    class_inserted: bool = False,
) -> tuple[str, bool, str | None]:
    """What save_link makes, written the plain way: (url, skinny, notice)."""
    allowed = origins or gp.origins
    issued_at = int(now.timestamp())
    kind = gp.google_kind
    payload: dict[str, Any] = {kind.object_payload_key: [gp.object_json]}
    if not class_inserted:
        payload = {kind.class_payload_key: [gp.class_json], **payload}
    body = compact_json(save_claims(account, allowed, issued_at, payload))
    header = compact_json({"alg": "RS256", "kid": account.private_key_id, "typ": "JWT"})

    def encode(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")

    signature_length = len(encode(bytes(account.private_key.key_size // 8)))
    length = len(SAVE_URL) + len(encode(header)) + 1 + len(encode(body)) + 1 + signature_length
    notice = None
    skinny = length > max_length
    if skinny:
        body = compact_json(save_claims(account, allowed, issued_at, gp.skinny_payload()))
        what = "the object" if class_inserted else "the class and the object"
        notice = f"a save link holding {what} would be {length:,} characters, more than "
        notice += f"{max_length:,}; the largest parts of the object: "
    signing_input = f"{encode(header)}.{encode(body)}"
    signature = account.private_key.sign(
        signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256()
    )
    return f"{SAVE_URL}{signing_input}.{encode(signature)}", skinny, notice


def assert_same_links(gp: GooglePass, account: ServiceAccount) -> None:
    for origins in ((), ("https://shop.example", "https://b.example")):
        for max_length in (100, 1800, 2600, 100_000):
            for class_inserted in (False, True):
                link = save_link(
                    gp,
                    account,
                    origins=origins,
                    now=NOW,
                    max_length=max_length,
                    class_inserted=class_inserted,
                )
                url, skinny, notice = plain_link(
                    gp,
                    account,
                    origins=origins,
                    max_length=max_length,
                    class_inserted=class_inserted,
                )
                assert (link.url, link.skinny) == (url, skinny)
                assert (link.notice is None) == (notice is None)
                if notice is not None:
                    assert link.notice is not None and link.notice.startswith(notice)


def assert_same_payloads(gp: GooglePass) -> None:
    kind = gp.google_kind
    assert gp.payload_text() == compact_json(gp.payload())
    assert gp.object_payload_text() == compact_json({kind.object_payload_key: [gp.object_json]})
    assert gp.skinny_payload_text() == compact_json(gp.skinny_payload())
    assert gp.object_text == compact_json(gp.object_json)


@pytest.mark.parametrize("path", LAYOUTS, ids=[p.stem for p in LAYOUTS])
def test_every_shipped_layout_gives_the_plain_links(path: Path, account: ServiceAccount) -> None:
    layout = load_layout(path)
    record = json.loads(fixture_for(path).read_text(encoding="utf-8"))
    gp = compile_google(layout.render(record, now=NOW), issuer_id=ISSUER_ID, options=layout.google)
    assert gp.plain_floats
    assert_same_payloads(gp)
    assert_same_links(gp, account)


@pytest.mark.parametrize("kind", list(KIND_DATA))
def test_every_kind_gives_the_plain_links(kind: str, account: ServiceAccount) -> None:
    gp = compile_google(sample_pass(kind), issuer_id=ISSUER_ID)
    assert_same_payloads(gp)
    assert_same_links(gp, account)


@pytest.mark.parametrize("coordinate", [1e-05, -3e-7, 0.0001, -0.0, 0.0, 89.999999999999])
def test_locations_json_writes_with_an_exponent_go_through_json(coordinate: float) -> None:
    p = sample_pass("generic", locations=[Location(latitude=coordinate, longitude=coordinate)])
    gp = compile_google(p, issuer_id=ISSUER_ID)
    assert gp.plain_floats is plain_float(coordinate)
    assert gp.object_json["merchantLocations"] == [
        {"latitude": coordinate, "longitude": coordinate}
    ]
    assert_same_payloads(gp)


@pytest.mark.parametrize("points", ["1.5", "1e-7", "1e400", "123456789012345678.5"])
def test_points_json_writes_with_an_exponent_go_through_json(points: str) -> None:
    header = [{"key": "points", "label": "Points", "value": Decimal(points)}]
    gp = compile_google(sample_pass("loyalty", header=header), issuer_id=ISSUER_ID)
    assert gp.object_json["loyaltyPoints"]["balance"] == {"double": float(points)}
    assert gp.plain_floats is plain_float(float(points))
    assert_same_payloads(gp)


def test_a_changed_object_is_written_again(account: ServiceAccount) -> None:
    gp = compile_google(sample_pass("loyalty"), issuer_id=ISSUER_ID)
    before = save_link(gp, account, now=NOW, max_length=100_000)
    gp.object_json["accountName"] = "Bob Example"
    gp.object_json["extra_module"] = {"nested": [1, 2.5, "ü\n\x00"]}
    assert_same_payloads(gp)
    after = save_link(gp, account, now=NOW, max_length=100_000)
    assert after.url != before.url
    assert after.url == plain_link(gp, account, max_length=100_000)[0]


def test_a_hand_made_pass_is_written_by_json() -> None:
    gp = compile_google(sample_pass("coupon"), issuer_id=ISSUER_ID)
    hand_made = GooglePass(
        kind=gp.kind,
        class_id=gp.class_id,
        object_id=gp.object_id,
        compiled_class=gp.compiled_class,
        object_json={**gp.object_json, "tiny": 1e-05, "huge": 1e300, "nan": math.nan},
    )
    assert not hand_made.plain_floats
    assert b'"tiny":1e-05,"huge":1e+300,"nan":NaN' in hand_made.payload_text()
    assert_same_payloads(hand_made)


# --- the claims around iat ------------------------------------------------------------------


def test_claims_follow_the_account_and_the_origins() -> None:
    first = make_account()
    second = ServiceAccount.from_json(
        {**account_json(), "client_email": "other@example.iam.gserviceaccount.com"}
    )
    tricky = ServiceAccount.from_json({**account_json(), "client_email": 'x"iat":0,"@example.com'})
    cases = [
        (tricky, ("https://a.example",)),
        (first, ()),
        (first, ("https://a.example",)),
        (first, ("https://a.example", "https://b.example")),
        (second, ("https://a.example",)),
        (second, ()),
    ]
    for _ in range(2):  # the second round reads what the first wrote down
        for account, origins in cases:
            for issued_at in (0, 1_700_000_000, -5):
                expected = compact_json(save_claims(account, origins, issued_at, {"x": 1}))
                assert save_claims_text(account, origins, issued_at, b'{"x":1}') == expected


@pytest.mark.parametrize(
    ("origins", "issued_at"),
    [
        ((1,), 5),
        ((True,), 5),
        ((1.0,), 5),
        ((["nested"],), 5),
        (("https://a.example",), True),
        (("https://a.example",), 1.5),
    ],
)
def test_claims_of_unusual_origins_and_times_are_written_by_json(
    account: ServiceAccount, origins: tuple[Any, ...], issued_at: Any
) -> None:
    for _ in range(2):
        expected = compact_json(save_claims(account, origins, issued_at, None))
        text = save_claims_text(account, origins, issued_at, b"null")
        assert text == expected


# --- the writers themselves ---------------------------------------------------------------


@given(st.binary(max_size=300))
def test_b64url_is_the_base64_modules(data: bytes) -> None:
    expected = base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")
    assert b64url(data) == expected
    assert len(expected) == b64url_length(len(data))


def outcome(write: Any, value: Any) -> bytes | str:
    try:
        result: bytes = write(value)
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return result


texts = st.text(st.characters(exclude_categories=()), max_size=12)  # lone surrogates too
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False).filter(plain_float),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_orjson_writes_jsons_bytes_for_json_with_plain_floats(value: Any) -> None:
    assert outcome(compact_json_plain, value) == outcome(compact_json, value)


@given(st.floats())
def test_plain_floats_are_those_repr_writes_without_an_exponent(value: float) -> None:
    assert plain_float(value) == (math.isfinite(value) and "e" not in repr(value))
    if plain_float(value):
        assert compact_json_plain([value]) == compact_json([value])


@pytest.mark.parametrize(
    "value", [1e-4, 9.999999999999999e-05, 1e16, 9999999999999998.0, 5e-324, -0.0, math.nan]
)
def test_plain_float_at_the_edges_of_repr_without_an_exponent(value: float) -> None:
    assert plain_float(value) == (math.isfinite(value) and "e" not in repr(value))


@pytest.mark.parametrize(
    "value",
    [
        {"lone": "\ud800"},
        {1: "not a text key"},
        {"big": 2**64},
        {"date": datetime(2026, 1, 1, tzinfo=UTC)},
        {"tuple": (1, "a")},
        {"set": {1}},
        {"sub": type("Text", (str,), {})("x")},
        {"ctrl": "\x00\x1f\x7f\u2028\u2029\ufeff"},
        [float("-0.0"), 0.0001, 123456789012345.6],
    ],
)
def test_what_orjson_refuses_or_writes_otherwise_goes_through_json(value: Any) -> None:
    assert outcome(compact_json_plain, value) == outcome(compact_json, value)


def test_every_pass_of_the_sample_kinds_is_plain() -> None:
    for kind in KIND_DATA:
        p: Pass = sample_pass(kind)
        assert compile_google(p, issuer_id=ISSUER_ID).plain_floats
