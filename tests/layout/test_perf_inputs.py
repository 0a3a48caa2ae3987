"""Reading a record's values through each input's prepared reader gives what the rule says.

`InputSpec.read` is worked out once per input (`Layout.check` calls it for every value of every
record); it must agree with its definition: an absent value (`is_absent`) takes the default or is
missing, any other value goes through `InputSpec.check`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from passkit.errors import DataError
from passkit.layout.input_decl import InputType
from passkit.layout.inputs import InputSpec, MissingInput, is_absent
from passkit.model import Money
from tests.support.layout import render, value, with_inputs


class Text(str):
    """A str subclass, as some CSV or ORM layers hand out."""


VALUES: list[Any] = [
    None,
    "",
    "  ",
    "x",
    Text("Gold"),
    Text(""),
    "42",
    " 7 ",
    "12.50 EUR",
    "2026-12-01",
    "2026-12-01T20:00:00",
    "true",
    "[1, 2]",
    42,
    -3,
    0,
    1.5,
    True,
    Decimal("4.5"),
    Money(amount=Decimal(3), currency="EUR"),
    date(2026, 1, 2),
    datetime(2026, 1, 2, 3, 4, tzinfo=UTC),
    [1, "2"],
    {"amount": "1", "currency": "EUR"},
]


def specs() -> Iterator[InputSpec]:
    zone = ZoneInfo("Europe/Paris")
    for kind in InputType:
        items = InputType.INTEGER if kind is InputType.LIST else None
        yield InputSpec(name="x", type=kind, required=True, default=None, time_zone=zone)
        yield InputSpec(
            name="x", type=kind, required=False, default="fallback", items=items, time_zone=zone
        )
    constrained = {"required": True, "default": None}
    yield InputSpec(name="x", type=InputType.STRING, pattern="[0-9]+", **constrained)
    yield InputSpec(name="x", type=InputType.STRING, max_length=2, min_length=1, **constrained)
    yield InputSpec(name="x", type=InputType.STRING, choices=("Gold", "x"), **constrained)
    yield InputSpec(
        name="x", type=InputType.INTEGER, min=Decimal(0), max=Decimal(41), **constrained
    )
    yield InputSpec(name="x", type=InputType.MONEY, currency="EUR", min=Decimal(4), **constrained)
    yield InputSpec(
        name="x", type=InputType.LIST, items=InputType.STRING, max_items=1, **constrained
    )


def by_definition(spec: InputSpec, given: Any) -> Any:
    if is_absent(spec, given):
        if spec.required:
            raise MissingInput(spec.name)
        return spec.default
    return spec.check(given)


def outcome(read: Any, given: Any) -> Any:
    try:
        result = read(given)
    except Exception as exc:
        return type(exc).__name__, str(exc)
    return "value", type(result), result


@pytest.mark.parametrize("spec", list(specs()), ids=repr)
def test_read_is_absent_then_check(spec: InputSpec) -> None:
    for given in VALUES:
        expected = outcome(lambda v: by_definition(spec, v), given)
        assert outcome(spec.read, given) == expected, given


def test_a_plain_text_input_takes_text_as_it_is() -> None:
    spec = InputSpec(name="x", type=InputType.STRING, required=True, default=None)
    text = Text("Zoë")
    assert spec.read(text) is text and spec.read("") == ""
    with pytest.raises(MissingInput):
        spec.read(None)


def test_a_pattern_python_cannot_compile_fails_when_a_value_is_checked() -> None:
    # Layout files cannot declare one (the schema refuses it); built by hand, the spec still
    # loads and the error comes where it always came from.
    spec = InputSpec(name="x", type=InputType.STRING, required=True, default=None, pattern="(")
    with pytest.raises(re.error):
        spec.read("text")


class Record(Mapping[str, Any]):
    def __init__(self, **values: Any) -> None:
        self._values = values

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


FIELD = 'fields:\n  primary:\n    - {key: n, value: "{{ n }}"}\n'


@pytest.mark.parametrize("wrap", [dict, MappingProxyType, lambda values: Record(**values)])
def test_any_mapping_is_a_record(tmp_path: Path, wrap: Any) -> None:
    layout = with_inputs(tmp_path, "n: integer\n", FIELD)
    assert value(render(layout, wrap({"id": "1", "n": "5"})), "n") == 5
    with pytest.raises(DataError, match="no input called 'm'") as caught:
        render(layout, wrap({"id": "1", "n": 5, "m": 1}))
    assert caught.value.input == "m"
    with pytest.raises(DataError, match="required") as caught:
        render(layout, wrap({"id": "1"}))
    assert caught.value.input == "n"
    with pytest.raises(DataError, match="whole number") as caught:
        render(layout, wrap({"id": "1", "n": "five"}))
    assert caught.value.input == "n"


def test_the_first_unknown_key_is_named(tmp_path: Path) -> None:
    layout = with_inputs(tmp_path, "n: integer\n", FIELD)
    with pytest.raises(DataError) as caught:
        render(layout, {"b": 1, "id": "1", "a": 2, "n": 1})
    assert caught.value.input == "b"
