"""Every value a JSON, JSON Lines or CSV record can hold either fits the input it is given for,
or is refused with a DataError naming the record and the input: never a traceback.

The values include what breaks naive readers: NaN and infinities, 1e400, whole numbers longer
than Python's int() reads, text with lone surrogates, arrays nested deeper than the parser's
recursion, and any mix of these in lists and objects.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from passkit.batch import read_records
from passkit.errors import DataError
from passkit.layout import Layout, load_layout
from passkit.model import Money

INPUTS = {
    "a_string": "string",
    "an_integer": "integer",
    "a_decimal": "decimal",
    "money": "money",
    "euros": "{type: money, currency: EUR}",
    "a_datetime": "datetime",
    "a_date": "date",
    "a_boolean": "boolean",
    "a_list": "list",
    "integers": "{type: list, items: integer}",
    "strings": "{type: list, items: string}",
}
LAYOUT = (
    "kind: generic\norganization: Example\ndescription: every input type\n"
    'serial_number: "card-1"\ninputs:\n'
    + "".join(f"  {name}: {{required: false, type: {kind}}}\n" for name, kind in INPUTS.items())
    .replace("type: {type: ", "type: ")
    .replace("}}\n", "}\n")
    + "fields:\n  primary:\n    - {key: name, label: Name, value: card}\n"
)

# Python cannot write a whole number over 4300 digits as text (nor can hypothesis show one):
# the record files get this marker replaced by such a number.
HUGE = "<a whole number of 5000 digits>"
HUGE_DIGITS = "-" + "8" * 5000
TRICKY_NUMBERS = st.sampled_from(
    [math.nan, math.inf, -math.inf, 1e308, 5e-324, 10**30, 2**64, HUGE]
)
TRICKY_TEXT = st.sampled_from(
    [
        "NaN",
        "Infinity",
        "-inf",
        "1e400",
        "1e999999999",
        "9" * 5000,
        "-" + "9" * 31,
        "12.50 EUR",
        "1e400 EUR",
        "NaN EUR",
        "9999999999999999999999999999999999 USD",
        "2026-12-01",
        "2026-12-01T20:00:00+01:00",
        "99999-01-01",
        "true",
        "[1, 2, 1e400]",
        "[" * 3000 + "]" * 3000,
        "\ud800",
        "a\udfffb",
        "\x00",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | TRICKY_NUMBERS
    | st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0xDFFF), max_size=8)
    | st.text(max_size=12)
    | TRICKY_TEXT
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    path = tmp_path_factory.mktemp("layout") / "every_input.yaml"
    path.write_text(LAYOUT)
    return load_layout(path)


def fits(kind: str, value: Any) -> bool:
    """Whether a checked value is what its input type promises."""
    if value is None:
        return True
    if kind == "string":
        value.encode("utf-8")  # raises for a lone surrogate
        return isinstance(value, str)
    if kind == "integer":
        return type(value) is int and abs(value) < 10**30
    if kind == "decimal":
        return isinstance(value, Decimal) and value.is_finite()
    if kind.startswith("{type: money") or kind == "money":
        return isinstance(value, Money) and value.amount.is_finite()
    if kind == "datetime":
        return isinstance(value, datetime) and value.tzinfo is not None
    if kind == "date":
        return isinstance(value, date) and not isinstance(value, datetime)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "{type: list, items: integer}":
        return isinstance(value, list) and all(fits("integer", item) for item in value)
    if kind == "{type: list, items: string}":
        return isinstance(value, list) and all(fits("string", item) for item in value)
    assert kind == "list" and isinstance(value, list)
    # Strict JSON (no NaN), encodable as UTF-8: what a pass can carry.
    json.dumps(value, allow_nan=False, default=str).encode("utf-8")
    return True


def check_every_input(layout: Layout, records: list[Any]) -> None:
    for record in records:
        for name, kind in INPUTS.items():
            try:
                checked = layout.check({name: record.data.get("v")}, record_name=record.name)
            except DataError as error:
                assert record.name in str(error) and f"input '{name}'" in str(error)
                continue
            assert fits(kind, checked[name]), (name, checked[name])


def record_files(folder: Path, value: Any) -> list[Path]:
    # NaN, Infinity, huge integers and \ud800 escapes included
    text = json.dumps({"v": value}).replace(json.dumps(HUGE), HUGE_DIGITS)
    (folder / "one.json").write_text(text, encoding="utf-8")
    (folder / "many.jsonl").write_text(f"{text}\n{text}\n", encoding="utf-8")
    paths = [folder / "one.json", folder / "many.jsonl"]
    if not isinstance(value, list | dict | type(None)):
        cell = value if isinstance(value, str) else json.dumps(value)
        cell = HUGE_DIGITS if cell == HUGE else cell
        if "\x00" not in cell:
            buffer = io.StringIO()
            csv.writer(buffer).writerows([["v"], [cell]])
            # A lone surrogate cannot be UTF-8: such a file is refused whole, by name.
            (folder / "rows.csv").write_bytes(buffer.getvalue().encode("utf-8", "surrogatepass"))
            paths.append(folder / "rows.csv")
    return paths


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=JSON_VALUES)
def test_every_json_value_fits_or_is_refused_by_name(layout: Layout, value: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for path in record_files(Path(folder), value):
            try:
                records = list(read_records(path))
            except DataError as error:
                assert str(path) in str(error)
                continue
            usable = [record for record in records if record.problem is None]
            for record in records:
                if record.problem is not None:
                    assert "not valid JSON" in record.problem
            check_every_input(layout, usable)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("an_integer", math.nan, "finite whole number"),
        ("an_integer", math.inf, "finite whole number"),
        ("an_integer", 1e400, "finite whole number"),
        ("an_integer", 10**5000, "at most 30 digits"),
        ("an_integer", "9" * 5000, "at most 30 digits"),
        ("a_decimal", "1e999999999", "at most 30 digits"),
        ("money", {"amount": "1e400", "currency": "EUR"}, "at most 30 digits"),
        ("a_string", "Ada \ud800", "lone surrogate"),
        ("strings", ["ok", "\udfff"], "lone surrogate"),
        ("a_list", [1, [math.nan]], "finite number"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else "",
)
def test_the_refusal_names_record_input_and_reason(
    layout: Layout, name: str, value: Any, expected: str
) -> None:
    with pytest.raises(DataError) as error:
        layout.check({name: value}, record_name="members.jsonl line 7")
    message = str(error.value)
    assert "members.jsonl line 7" in message and f"input '{name}'" in message
    assert expected in message
    assert len(message) < 400


def test_json_lines_with_a_huge_integer_reach_the_input(tmp_path: Path, layout: Layout) -> None:
    path = tmp_path / "members.jsonl"
    path.write_text('{"an_integer": ' + "7" * 5000 + "}\n" + "[" * 100000 + "\n")
    first, second = read_records(path)
    with pytest.raises(DataError, match="at most 30 digits"):
        layout.check(first.data, record_name=first.name)
    assert second.problem is not None and "nested too deeply" in second.problem
