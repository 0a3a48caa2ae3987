"""pass.json written the fast way (orjson) must be, byte for byte, what the json module writes:
checked on every shipped layout and on generated passes, errors included."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passkit.apple.jsonbytes import dumps
from passkit.apple.passjson import compile_pass_json, pass_json_bytes
from passkit.errors import WalletRuleError
from passkit.layout import fixture_for, load_layout, shipped_layouts
from passkit.model import Location, Pass, PassField
from tests.support.apple import STYLES, make_pass

IDS = {"pass_type_id": "pass.com.example.card", "team_id": "TEAM123456"}


def reference(p: Pass) -> bytes | str:
    """What jsonbytes.dumps(compile_pass_json(...)) gives, or the error it raises."""
    try:
        return dumps(compile_pass_json(p, **IDS))
    except (WalletRuleError, UnicodeEncodeError) as exc:
        return f"{type(exc).__name__}: {exc}"


def fast(p: Pass) -> bytes | str:
    try:
        return pass_json_bytes(p, **IDS)
    except (WalletRuleError, UnicodeEncodeError) as exc:
        return f"{type(exc).__name__}: {exc}"


@pytest.mark.parametrize("path", shipped_layouts(), ids=lambda path: path.stem)
def test_every_shipped_layout_gives_the_same_bytes(path: Any) -> None:
    layout = load_layout(path)
    record = json.loads(fixture_for(path).read_text())
    p = layout.render(record, now=datetime(2026, 12, 1, 9, tzinfo=UTC))
    assert fast(p) == reference(p)
    assert isinstance(fast(p), bytes)


@cache
def base_pass(kind: str) -> Pass:
    extra = {"transit_type": "air"} if kind == "boarding_pass" else {}
    return make_pass(kind, **extra)


texts = st.text(st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=20)
floats = st.floats(allow_nan=True, allow_infinity=True)
coordinates = st.fixed_dictionaries(
    {"latitude": st.floats(-90, 90), "longitude": st.floats(-180, 180)},
    optional={"altitude": floats, "relevant_text": texts},
)
values = st.one_of(
    texts,
    st.integers(-(2**70), 2**70),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.builds(
        lambda amount: {"amount": amount, "currency": "EUR"}, st.decimals(-1e6, 1e6, places=2)
    ),
)
user_info = st.recursive(
    st.none() | st.booleans() | st.integers() | floats | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(sorted(STYLES)),
    label=texts,
    value=values,
    locations=st.lists(coordinates, max_size=3),
    max_distance=st.none() | st.floats(min_value=0, exclude_min=True),
    store_ids=st.lists(st.integers(0, 2**70), max_size=2),
    info=st.none() | st.dictionaries(texts, user_info, max_size=3),
)
def test_generated_passes_give_the_same_bytes_or_the_same_error(
    kind: str,
    label: str,
    value: Any,
    locations: list[dict[str, Any]],
    max_distance: float | None,
    store_ids: list[int],
    info: dict[str, Any] | None,
) -> None:
    try:
        p = base_pass(kind).model_copy(
            update={
                "back": (
                    *base_pass(kind).back,
                    PassField(key="extra", label=label, value=value),
                ),
                "locations": tuple(Location(**location) for location in locations),
                "max_distance": max_distance,
                "associated_store_ids": tuple(store_ids),
                "user_info": info,
            }
        )
    except WalletRuleError:
        return
    assert fast(p) == reference(p)


def test_floats_json_writes_with_an_exponent_or_not_at_all_are_written_by_json() -> None:
    p = base_pass("loyalty")
    for altitude in (1e-05, 1e16, math.inf, math.nan):
        location = Location(latitude=48.5, longitude=2.25, altitude=altitude)
        q = p.model_copy(update={"locations": (location,)})
        assert fast(q) == reference(q)
    q = p.model_copy(update={"locations": (location,), "max_distance": 1e-7})
    assert fast(q) == reference(q)
    assert b'"maxDistance":1e-07' in pass_json_bytes(
        p.model_copy(update={"max_distance": 1e-7}), **IDS
    )
    exact = p.model_copy(update={"user_info": {"amount": Decimal("0.10")}})
    assert b'"userInfo":{"amount":0.10}' in pass_json_bytes(exact, **IDS)
