"""Values given as text for a layout's inputs (`passkit pass update --set NAME=VALUE`), read by
the inputs' own types and written as a record's JSON holds them.

Stored as given, "1250" would stay text in the record: the pass renders alike, but the stored
record is not what the layout declares, and a value the input cannot read would be found only
when the pass is rendered. Read here first, a number is stored as a number, a date as its ISO
8601 text, and a value the input does not take is refused, naming the input, before anything
is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from passkit.layout.inputs import READ_ERRORS, InputSpec, input_refusal, is_absent
from passkit.model.fields import Money

if TYPE_CHECKING:
    from passkit.layout.layout import Layout


def typed_values(
    layout: Layout, values: Mapping[str, str], *, record_name: str = "record"
) -> dict[str, Any]:
    """`values` read by the layout's inputs and put in their JSON form: whole numbers and
    booleans as such, a decimal as a number when one holds it exactly (else as its text),
    money as {amount, currency}, dates and date-times as ISO 8601 text, lists item by item.
    Empty text clears an input that is not required (None: its default applies).

    A name that is not an input is left as given: the layout's check of the whole record
    refuses it, naming the inputs there are. Raises DataError naming the input, and what it
    expects, for a value it does not take.
    """
    who = f"{record_name} (layout {layout.name})"
    typed: dict[str, Any] = {}
    for name, value in values.items():
        spec = layout.inputs.get(name)
        typed[name] = value if spec is None else _json_form(_read(spec, value, who))
    return typed


def _read(spec: InputSpec, value: str, who: str) -> Any:
    """`value` as `spec` reads it (None for empty text that clears the input); DataError if
    the input does not take it."""
    if is_absent(spec, value) and not spec.required:
        return None
    try:
        return spec.read(value)
    except READ_ERRORS as exc:
        raise input_refusal(spec, exc, who) from None


def _json_form(value: Any) -> Any:
    """An input's value as a record's JSON holds it, read back by the input as the same value."""
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, date):  # a datetime too, with its offset
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_json_form(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _json_form(item) for key, item in value.items()}
    return value


def _decimal(value: Decimal) -> int | float | str:
    """A JSON number when the input reads one back as `value`, digit for digit ("12.5", "7");
    else the exact text ("12.50", or more digits than a binary float holds)."""
    if value.as_tuple().exponent == 0:
        return int(value)
    number = float(value)
    # The input reads a float through its shortest text, as Decimal(str(number)).
    if str(Decimal(str(number))) == str(value):
        return number
    return str(value)
