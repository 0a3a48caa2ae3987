"""Typed inputs: each type accepts its values (and unambiguous text) and refuses the rest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from passkit.errors import DataError, LayoutError
from passkit.model import Money
from tests.support.layout import render, value, with_inputs

FIELD = """
fields:
  primary:
    - key: x
      value: "{{ x }}"
"""


def one_input(tmp_path: Path, declaration: str) -> Any:
    return with_inputs(tmp_path, f"x: {declaration}\n", FIELD)


def rendered_x(tmp_path: Path, declaration: str, given: Any) -> Any:
    return value(render(one_input(tmp_path, declaration), {"id": "1", "x": given}), "x")


def refused(tmp_path: Path, declaration: str, given: Any) -> DataError:
    layout = one_input(tmp_path, declaration)
    with pytest.raises(DataError) as caught:
        render(layout, {"id": "1", "x": given}, record_name="members.csv line 7")
    error = caught.value
    assert error.input == "x"
    assert "members.csv line 7" in str(error) and "layout layout" in str(error)
    return error


@pytest.mark.parametrize(
    ("declaration", "given", "expected"),
    [
        ("string", "Zoë", "Zoë"),
        ("string", "", ""),
        ("integer", 42, 42),
        ("integer", "42", 42),
        ("integer", " -7 ", -7),
        ("integer", 12.0, 12),
        ("decimal", "12.50", Decimal("12.50")),
        ("decimal", 0.1, Decimal("0.1")),
        ("decimal", 3, Decimal(3)),
        ("boolean", True, "True"),  # a boolean shown through text
        ("boolean", "yes", "True"),
        ("boolean", "FALSE", "False"),
    ],
)
def test_accepted_values(tmp_path: Path, declaration: str, given: Any, expected: Any) -> None:
    if declaration == "boolean":
        layout = with_inputs(
            tmp_path, "x: boolean\n", FIELD.replace('"{{ x }}"', '"{{ x | string }}"')
        )
        assert value(render(layout, {"id": "1", "x": given}), "x") == expected
    else:
        result = rendered_x(tmp_path, declaration, given)
        assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("declaration", "given", "expected_words"),
    [
        ("string", 12345, "expected text"),
        ("string", ["a"], "expected text"),
        ("integer", "12a", "whole number"),
        ("integer", 4.5, "whole number"),
        ("integer", True, "whole number"),
        ("decimal", "twelve", "expected a number"),
        ("decimal", "NaN", "finite"),
        ("decimal", False, "expected a number"),
        ("boolean", "maybe", "true or false"),
        ("boolean", 1, "true or false"),
        ("date", "2026-02-30", "date such as"),
        ("date", "2026-12-01T10:00:00+00:00", "date"),
        ("datetime", "tomorrow", "ISO 8601"),
        ("datetime", 1700000000, "date-time"),
        ("money", "12.50", "12.50 EUR"),
        ("money", 12, "without a currency"),
        ("money", {"amount": 1}, "amount, currency"),
        ("money", "12.50 euros", "12.50 EUR"),
        ("list", "a,b", "expected a list"),
        ("list", {"a": 1}, "expected a list"),
    ],
)
def test_refused_values(tmp_path: Path, declaration: str, given: Any, expected_words: str) -> None:
    error = refused(tmp_path, declaration, given)
    assert expected_words in str(error)


def test_dates_and_times(tmp_path: Path) -> None:
    assert rendered_x(tmp_path, "date", "2026-12-01") == datetime(2026, 12, 1, tzinfo=UTC)
    moment = rendered_x(tmp_path, "datetime", "2026-12-01T20:00:00+01:00")
    assert moment == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=1)
    assert rendered_x(tmp_path, "datetime", "2026-12-01T19:00:00Z").utcoffset() == timedelta(0)
    given = datetime(2026, 1, 2, 3, 4, tzinfo=timezone(timedelta(hours=-5)))
    assert rendered_x(tmp_path, "datetime", given) == given
    assert rendered_x(tmp_path, "date", date(2026, 5, 6)).date() == date(2026, 5, 6)


def test_a_time_without_zone_is_read_in_the_inputs_or_layouts_zone(tmp_path: Path) -> None:
    assert rendered_x(tmp_path, "datetime", "2026-12-01T20:00:00").utcoffset() == timedelta(0)
    berlin = with_inputs(tmp_path, "x: datetime\n", FIELD + "time_zone: Europe/Berlin\n")
    moment = value(render(berlin, {"id": "1", "x": "2026-07-01T20:00:00"}), "x")
    assert moment.utcoffset() == timedelta(hours=2)
    zoned = rendered_x(
        tmp_path, "{type: datetime, time_zone: America/New_York}", "2026-12-01T20:00:00"
    )
    assert zoned.utcoffset() == timedelta(hours=-5)


def test_money_forms(tmp_path: Path) -> None:
    expected = Money(amount=Decimal("12.50"), currency="EUR")
    for given in ("12.50 EUR", "EUR 12.50", {"amount": "12.50", "currency": "EUR"}, expected):
        assert rendered_x(tmp_path, "money", given) == expected
    assert rendered_x(tmp_path, "{type: money, currency: EUR}", 12.5) == expected
    assert rendered_x(tmp_path, "{type: money, currency: EUR}", "12.50") == expected
    error = refused(tmp_path, "{type: money, currency: EUR}", "3 USD")
    assert "expected an amount in EUR" in str(error)
    assert "currency code" in str(refused(tmp_path, "money", {"amount": 1, "currency": "euro"}))


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("5000.5 JPY", "5000.5 JPY has 1 decimal, but JPY amounts have none"),
        ({"amount": "1.23456", "currency": "KWD"}, "1.23456 KWD has 5 decimals, but KWD amounts"),
        ("12.505 EUR", "12.505 EUR has 3 decimals, but EUR amounts have 2"),
        ("10 XYZ", "'XYZ' is not an ISO 4217 currency code"),
    ],
)
def test_money_the_wallets_would_round_or_cannot_name(
    tmp_path: Path, given: Any, words: str
) -> None:
    assert words in str(refused(tmp_path, "money", given))


def test_money_as_precise_as_its_currency(tmp_path: Path) -> None:
    for given, amount, code in [
        ("5000 JPY", "5000", "JPY"),
        ("5000.00 JPY", "5000.00", "JPY"),  # trailing zeros are no decimals
        ("1.234 KWD", "1.234", "KWD"),
        ("1.2345 CLF", "1.2345", "CLF"),
    ]:
        assert rendered_x(tmp_path, "money", given) == Money(amount=Decimal(amount), currency=code)
    assert "5000.5 JPY has 1 decimal" in str(
        refused(tmp_path, "{type: money, currency: JPY}", 5000.5)
    )


def test_an_unknown_currency_in_a_layout_is_a_layout_error(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="'XYZ' is not an ISO 4217 currency code"):
        one_input(tmp_path, "{type: money, currency: XYZ}")


def test_lists(tmp_path: Path) -> None:
    layout = with_inputs(
        tmp_path,
        "tags: {type: list, items: integer, max_items: 3}\n",
        "fields:\n  primary:\n    - {key: x, value: \"{{ tags | join('+') }}\"}\n",
    )
    assert value(render(layout, {"id": "1", "tags": [1, "2", 3]}), "x") == "1+2+3"
    assert value(render(layout, {"id": "1", "tags": "[4, 5]"}), "x") == "4+5"  # CSV cell
    with pytest.raises(DataError, match="item 2: expected a whole number"):
        render(layout, {"id": "1", "tags": [1, "two"]})
    with pytest.raises(DataError, match="at most 3 items"):
        render(layout, {"id": "1", "tags": [1, 2, 3, 4]})


def test_constraints(tmp_path: Path) -> None:
    assert "at least 0" in str(refused(tmp_path, "{type: integer, min: 0}", -1))
    assert "at most 10" in str(refused(tmp_path, "{type: decimal, max: 10}", "10.01"))
    assert "one of 'Gold'" in str(refused(tmp_path, "{type: string, choices: [Gold]}", "gold"))
    assert "pattern" in str(refused(tmp_path, "{type: string, pattern: '[0-9]{4}'}", "12345"))
    assert "at most 3 characters" in str(refused(tmp_path, "{type: string, max_length: 3}", "abcd"))
    assert "at least 2" in str(refused(tmp_path, "{type: string, min_length: 2}", "a"))
    assert rendered_x(tmp_path, "{type: string, pattern: '[0-9]{4}'}", "1234") == "1234"
    assert "at least 5" in str(refused(tmp_path, "{type: money, currency: EUR, min: 5}", 4))


def test_missing_required_input_names_input_layout_and_record(tmp_path: Path) -> None:
    layout = with_inputs(tmp_path, "name: {type: string, description: Member name}\n")
    with pytest.raises(DataError) as caught:
        layout.render({"id": "1"}, record_name="record 3")
    message = str(caught.value)
    assert caught.value.input == "name"
    assert "record 3" in message and "layout layout" in message and "'name'" in message
    assert "required" in message and "Member name" in message
    # null counts as absent, and so does empty text for non-string inputs (CSV cells)
    with pytest.raises(DataError, match="required"):
        layout.render({"id": "1", "name": None})
    count = with_inputs(tmp_path, "n: integer\n")
    with pytest.raises(DataError, match="required"):
        count.render({"id": "1", "n": "  "})


def test_defaults_and_optional_inputs(tmp_path: Path) -> None:
    layout = with_inputs(
        tmp_path,
        "tier: {type: string, default: Green}\nnote: {type: string, required: false}\n"
        "points: {type: integer, default: '0'}\n",
        'fields:\n  primary:\n    - {key: t, value: "{{ tier }}/{{ points + 1 }}"}\n'
        '    - {key: n, value: "{{ note }}"}\n',
    )
    p = render(layout, {"id": "1"})
    assert value(p, "t") == "Green/1"
    assert p.field("n") is None  # an empty value leaves the field out
    assert layout.inputs["tier"].default == "Green" and not layout.inputs["tier"].required
    assert layout.inputs["points"].default == 0
    assert layout.inputs["id"].required
    assert value(render(layout, {"id": "1", "note": "hi"}), "n") == "hi"


def test_unknown_record_keys_are_reported(tmp_path: Path) -> None:
    layout = with_inputs(tmp_path, "points: integer\n")
    with pytest.raises(DataError) as caught:
        layout.render({"id": "1", "points": 3, "pionts": 4}, record_name="r.json")
    assert caught.value.input == "pionts"
    assert "did you mean 'points'" in str(caught.value) and "r.json" in str(caught.value)


def test_a_record_must_be_a_mapping(tmp_path: Path) -> None:
    layout = with_inputs(tmp_path, "")
    with pytest.raises(DataError, match="mapping"):
        layout.render(["1"])  # type: ignore[arg-type]


def test_bad_default_is_a_layout_error_at_its_line(tmp_path: Path) -> None:
    with pytest.raises(LayoutError) as caught:
        with_inputs(tmp_path, "points:\n  type: integer\n  default: many\n")
    error = caught.value
    assert error.line == 9 and error.field == "inputs.points.default"
    assert "whole number" in str(error)


def test_reserved_and_bad_input_names(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="passkit gives templates itself"):
        with_inputs(tmp_path, "now: datetime\n")
    with pytest.raises(LayoutError, match=r"inputs\.2fast"):
        with_inputs(tmp_path, "2fast: string\n")
    with pytest.raises(LayoutError, match="unknown key 'typ'; did you mean 'type'"):
        with_inputs(tmp_path, "x: {typ: string}\n")
    with pytest.raises(LayoutError, match="Input should be 'string'"):
        with_inputs(tmp_path, "x: text\n")


def test_record_schema(tmp_path: Path) -> None:
    import jsonschema  # type: ignore[import-untyped]

    layout = with_inputs(
        tmp_path,
        "code: {type: string, pattern: '[0-9]{4}', description: Door code}\n"
        "tier: {type: string, choices: [Gold, Green], default: Green}\n"
        "points: {type: integer, min: 0}\n"
        "balance: {type: money, required: false}\n"
        "tags: {type: list, items: string, choices: [a, b], max_items: 2, default: [a]}\n",
    )
    schema = layout.record_schema()
    assert schema["required"] == ["id", "code", "points"]
    assert schema["properties"]["code"]["description"] == "Door code"
    assert schema["properties"]["tier"]["default"] == "Green"
    validator = jsonschema.Draft202012Validator(schema)
    good = {"id": "1", "code": "1234", "points": 3, "balance": {"amount": "1", "currency": "EUR"}}
    assert list(validator.iter_errors(good)) == []
    for bad in (
        {**good, "code": "12345"},
        {**good, "tier": "Blue"},
        {**good, "points": -1},
        {**good, "tags": ["a", "c"]},
        {**good, "tags": ["a", "b", "a"]},
        {**good, "extra": 1},
    ):
        assert list(validator.iter_errors(bad)), bad
        with pytest.raises(DataError):
            render(layout, bad)  # the layout refuses what the schema refuses
