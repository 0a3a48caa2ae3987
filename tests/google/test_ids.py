"""Google Wallet ids: issuer ids checked, chosen suffixes checked, derived suffixes made safe."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passkit.errors import WalletRuleError
from passkit.google.ids import (
    check_issuer_id,
    check_suffix,
    safe_module_id,
    safe_suffix,
    slug,
    split_id,
)

SUFFIX = re.compile(r"[A-Za-z0-9._\-]+")
MODULE_ID = re.compile(r"[A-Za-z0-9_\-]+")


def test_issuer_ids_are_digits() -> None:
    assert check_issuer_id("3388000000012345678") == "3388000000012345678"
    assert check_issuer_id(3388000000012345678) == "3388000000012345678"
    for bad in ("", "abc", "12 34", "-1", "1.2", True, None, 1.5):
        with pytest.raises(WalletRuleError, match="digits only"):
            check_issuer_id(bad)


def test_chosen_suffixes_are_checked_not_changed() -> None:
    assert check_suffix("loyalty.v2_a-b", what="class suffix") == "loyalty.v2_a-b"
    for bad in ("", "a b", "ä", "a/b", "a:b"):
        with pytest.raises(
            WalletRuleError, match=r"class suffix .* is not a valid Google Wallet id suffix"
        ):
            check_suffix(bad, what="class suffix")


def test_safe_suffix_keeps_safe_serials_and_hashes_changed_ones() -> None:
    assert safe_suffix("ABC-123_x.y") == "ABC-123_x.y"
    changed = safe_suffix("A 1/2")
    assert changed.startswith("A_1_2-") and SUFFIX.fullmatch(changed)
    assert safe_suffix("A 1/2") == changed
    assert safe_suffix("A:1:2") != changed
    assert SUFFIX.fullmatch(safe_suffix("ü€"))


@given(st.text(min_size=1, max_size=40))
def test_safe_suffix_is_always_valid_and_injective_enough(text: str) -> None:
    suffix = safe_suffix(text)
    assert SUFFIX.fullmatch(suffix)
    module = safe_module_id(text)
    assert MODULE_ID.fullmatch(module)


@given(st.lists(st.text(min_size=1, max_size=12), min_size=2, max_size=30, unique=True))
def test_distinct_serials_get_distinct_suffixes(serials: list[str]) -> None:
    assert len({safe_suffix(s) for s in serials}) == len(serials)


def test_module_ids_have_no_dots() -> None:
    assert safe_module_id("points") == "points"
    assert safe_module_id("a.b").startswith("a_b-")
    assert safe_module_id("a.b") != safe_module_id("a_b")


def test_slug_and_split() -> None:
    assert slug("Acme Coffee & Co.") == "acme_coffee_co"
    assert split_id("123.abc.def") == ("123", "abc.def")
    with pytest.raises(WalletRuleError, match="numeric issuer id"):
        split_id("abc.def")
