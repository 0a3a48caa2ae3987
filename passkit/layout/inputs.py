"""Typed inputs: the variables a layout declares, and the checking of a record against them.

Records come from JSON (typed values), CSV (text only) or Python code. A value of the declared
type is taken as is; text is read when it is unambiguous ("42" for an integer, "true" for a
boolean, "12.50 EUR" for money, an ISO 8601 date). Anything else is refused with a message that
says what was expected, and empty text counts as absent for every type but string.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from passkit.currency import money_problem
from passkit.errors import WalletRuleError
from passkit.layout.schema import InputDecl, InputType
from passkit.model.fields import Money


class InputValueError(ValueError):
    """A value that does not suit its input; the message says what was expected."""


class MissingInput(Exception):
    """A required input has no value in the record (`InputSpec.read`)."""


_MISSING: Any = object()
# Numbers beyond these are not amounts, points or counts but mistakes, or attempts to make
# formatting (a billion digits) or other parsers exhaust the machine.
MAX_DIGITS = 30
_INTEGER_LIMIT: int = 10**MAX_DIGITS
_SURROGATE = re.compile("[\ud800-\udfff]")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}
_MONEY_TEXT = re.compile(
    r"^\s*(?:(?P<c1>[A-Za-z]{3})\s*(?P<a1>[-+]?[\d.]+)|(?P<a2>[-+]?[\d.]+)\s*(?P<c2>[A-Za-z]{3}))\s*$"
)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int) and abs(value) >= _INTEGER_LIMIT:
        return f"a whole number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) > MAX_DIGITS:
        return f"a number of about {abs(value.adjusted()) + 1} digits"
    if isinstance(value, int | float | Decimal):
        return f"the number {value}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _as_string(value: Any) -> str:
    if isinstance(value, str):
        return _text(value)
    raise InputValueError(f"expected text, got {_shown(value)} (quote it in the record)")


def _text(value: str) -> str:
    """`value`, unless it holds a lone surrogate: half of a character, which no file or wallet
    can encode (JSON can write one as an escape such as \\ud800)."""
    if value.isascii() or not _SURROGATE.search(value):
        return value
    raise InputValueError(
        f"{_shown(value)} holds a lone surrogate (half of a character), which is not text;"
        " check how the record was encoded"
    )


def _as_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise InputValueError(f"expected a whole number, got {_shown(value)}")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        number = _whole(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
        digits = value.strip().lstrip("+-").lstrip("0")
        number = int(value) if len(digits) <= MAX_DIGITS else _INTEGER_LIMIT
    if number is None:
        raise InputValueError(f"expected a whole number, got {_shown(value)}")
    if abs(number) >= _INTEGER_LIMIT:
        raise InputValueError(
            f"expected a whole number of at most {MAX_DIGITS} digits, got {_shown(value)}"
        )
    return number


def _whole(value: float | Decimal) -> int | None:
    """A finite float or Decimal without a fraction, as an int (bounded before it is made)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InputValueError(f"expected a finite whole number, got {_shown(value)}")
    number = Decimal(value)
    if not number.is_finite():
        raise InputValueError(f"expected a finite whole number, got {_shown(value)}")
    if number.adjusted() >= MAX_DIGITS:
        return _INTEGER_LIMIT
    whole = number.to_integral_value()
    return int(whole) if whole == number else None


def _as_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InputValueError(f"expected a number, got {_shown(value)}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(str(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise InputValueError(f"expected a number, got {_shown(value)}") from None
    else:
        raise InputValueError(f"expected a number, got {_shown(value)}")
    if not result.is_finite():
        raise InputValueError(f"expected a finite number, got {_shown(value)}")
    exponent = result.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    if result and (result.adjusted() >= MAX_DIGITS or places > MAX_DIGITS):
        raise InputValueError(
            f"expected a number with at most {MAX_DIGITS} digits before and after the point,"
            f" got {_shown(value)}"
        )
    return result


def _parse_datetime(value: Any, zone: ZoneInfo | None) -> datetime:
    moment: datetime
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputValueError(
                f"expected an ISO 8601 date-time such as 2026-12-01T20:00:00+01:00, "
                f"got {_shown(value)}"
            ) from None
    else:
        raise InputValueError(f"expected a date-time, got {_shown(value)}")
    if moment.tzinfo is None:
        if zone is None:
            raise InputValueError(
                f"{_shown(value)} has no time zone; add one (e.g. +01:00 or Z) "
                "or give the input a time_zone"
            )
        moment = moment.replace(tzinfo=zone)
    return moment


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise InputValueError(f"expected a date without a time, got {value.isoformat()!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputValueError(f"expected a date such as 2026-12-01, got {_shown(value)}")


def _as_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise InputValueError(f"expected true or false, got {_shown(value)}")


def _as_money(value: Any, currency: str | None) -> Money:
    money: Money
    if isinstance(value, Money):
        money = value
    elif isinstance(value, Mapping):
        if set(value) != {"amount", "currency"}:
            raise InputValueError(
                f"expected money as {{amount, currency}}, got keys {sorted(map(str, value))}"
            )
        money = _money(_as_decimal(value["amount"]), value["currency"])
    elif isinstance(value, str):
        match = _MONEY_TEXT.match(value)
        if match:
            amount = match.group("a1") or match.group("a2")
            code = (match.group("c1") or match.group("c2")).upper()
            money = _money(_as_decimal(amount), code)
        elif currency is not None:
            money = _money(_as_decimal(value), currency)
        else:
            raise InputValueError(f"expected money such as '12.50 EUR', got {_shown(value)}")
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if currency is None:
            raise InputValueError(
                f"got {_shown(value)} without a currency; write it as {{amount, currency}} "
                "or '12.50 EUR', or give the input a currency"
            )
        money = _money(_as_decimal(value), currency)
    else:
        raise InputValueError(f"expected money such as '12.50 EUR', got {_shown(value)}")
    if currency is not None and money.currency != currency:
        raise InputValueError(f"expected an amount in {currency}, got {money}")
    return money


def _money(amount: Decimal, currency: Any) -> Money:
    if isinstance(currency, str):
        problem = money_problem(amount, currency)
        if problem is not None:
            raise InputValueError(problem)
    try:
        return Money(amount=amount, currency=currency)
    except WalletRuleError:
        raise InputValueError(
            f"{currency!r} is not a currency code; use three capital letters such as EUR"
        ) from None


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        for item in value:
            _check_plain(item)
        return list(value)
    if isinstance(value, str) and value.strip().startswith("["):
        # CSV cells cannot hold lists; a JSON array written in the cell can.
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            parsed = None
        if isinstance(parsed, list):
            for item in parsed:
                _check_plain(item)
            return parsed
    raise InputValueError(f"expected a list, got {_shown(value)}")


def _check_plain(value: Any) -> None:
    """Refuse what an item of a list without an item type cannot hold: numbers that are not
    finite or too long, and text with lone surrogates, at any depth."""
    if isinstance(value, str):
        _text(value)
    elif isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        if isinstance(value, int):
            _as_integer(value)
        else:
            _as_decimal(value)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_plain(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_plain(key)
            _check_plain(item)


@dataclass(frozen=True)
class InputSpec:
    """One declared input, ready to check values. `default` is already a checked value."""

    name: str
    type: InputType
    required: bool
    default: Any
    description: str | None = None
    choices: tuple[Any, ...] | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    currency: str | None = None
    time_zone: ZoneInfo | None = None
    items: InputType | None = None
    max_items: int | None = None

    # Worked out on first use: which converter applies, and whether any constraint needs checking.

    @functools.cached_property
    def _convert(self) -> Callable[[InputSpec, Any], Any]:
        kind = self.items if self.type is InputType.LIST else self.type
        return _unchanged if kind is None else _CONVERTERS[kind]

    @functools.cached_property
    def _plain(self) -> bool:
        constrained = (
            self.choices,
            self.min,
            self.max,
            self.min_length,
            self.max_length,
            self.pattern,
        )
        return all(c is None for c in constrained)

    @functools.cached_property
    def _fullmatch(self) -> Callable[[str], re.Match[str] | None] | None:
        return None if self.pattern is None else _matcher(self.pattern)

    @functools.cached_property
    def _read(self) -> Callable[[Any], Any]:
        return self._reader()

    def read(self, value: Any) -> Any:
        """A record's value for this input (None when the record has none): the value checked,
        or the default when it is absent (see `is_absent`).

        Raises InputValueError saying what was expected, or MissingInput for a required input.
        """
        return self._read(value)

    def _reader(self) -> Callable[[Any], Any]:
        """`read` for this input. Every record goes through it: a text input that needs no
        checking costs one type test."""
        default = self.default
        required = self.required

        def absent() -> Any:
            if required:
                raise MissingInput(self.name)
            return default

        check = self.check if self.type is InputType.LIST else self._check_one
        if self.type is InputType.STRING and self._plain:

            def read_text(value: Any) -> Any:
                if type(value) is str and value.isascii():
                    return value
                return absent() if value is None else _as_string(value)

            return read_text
        if self.type is InputType.STRING:  # empty text is text, not an absent value

            def read_checked_text(value: Any) -> Any:
                return absent() if value is None else check(value)

            return read_checked_text

        def read(value: Any) -> Any:
            if value is None or (isinstance(value, str) and not value.strip()):
                return absent()
            return check(value)

        return read

    def check(self, value: Any) -> Any:
        """The value converted to the input's type; raises InputValueError saying why not."""
        if self.type is InputType.LIST:
            items = _as_list(value)
            if self.max_items is not None and len(items) > self.max_items:
                raise InputValueError(f"expected at most {self.max_items} items, got {len(items)}")
            if self.items is None:
                return items
            checked = []
            for index, item in enumerate(items):
                try:
                    checked.append(self._check_one(item))
                except InputValueError as exc:
                    raise InputValueError(f"item {index + 1}: {exc}") from None
            return checked
        return self._check_one(value)

    def _check_one(self, value: Any) -> Any:
        result = self._convert(self, value)
        if self._plain:
            return result
        if self.choices is not None and result not in self.choices:
            allowed = ", ".join(repr(choice) for choice in self.choices)
            raise InputValueError(f"expected one of {allowed}, got {_shown(value)}")
        self._check_bounds(result)
        return result

    def _check_bounds(self, value: Any) -> None:
        number = value.amount if isinstance(value, Money) else value
        if isinstance(number, int | Decimal) and not isinstance(number, bool):
            if self.min is not None and number < self.min:
                raise InputValueError(f"expected at least {self.min}, got {number}")
            if self.max is not None and number > self.max:
                raise InputValueError(f"expected at most {self.max}, got {number}")
        if isinstance(value, str):
            if self.min_length is not None and len(value) < self.min_length:
                raise InputValueError(
                    f"expected at least {self.min_length} characters, got {len(value)}"
                )
            if self.max_length is not None and len(value) > self.max_length:
                raise InputValueError(
                    f"expected at most {self.max_length} characters, got {len(value)}"
                )
            if self._fullmatch is not None and not self._fullmatch(value):
                raise InputValueError(
                    f"{_shown(value)} does not match the pattern {self.pattern!r}"
                )


def _unchanged(spec: InputSpec, value: Any) -> Any:
    return value


def _matcher(pattern: str) -> Callable[[str], re.Match[str] | None]:
    try:
        return re.compile(pattern).fullmatch
    except re.error:
        # (layout files cannot declare such a pattern) raised when a value is checked
        return functools.partial(re.fullmatch, pattern)


_CONVERTERS: dict[InputType, Callable[[InputSpec, Any], Any]] = {
    InputType.STRING: lambda spec, value: (
        value if type(value) is str and value.isascii() else _as_string(value)
    ),
    InputType.INTEGER: lambda spec, value: _as_integer(value),
    InputType.DECIMAL: lambda spec, value: _as_decimal(value),
    InputType.MONEY: lambda spec, value: _as_money(value, spec.currency),
    InputType.DATETIME: lambda spec, value: _parse_datetime(value, spec.time_zone),
    InputType.DATE: lambda spec, value: _as_date(value),
    InputType.BOOLEAN: lambda spec, value: _as_boolean(value),
    InputType.LIST: lambda spec, value: _as_list(value),
}


def build_input(name: str, decl: InputDecl, layout_zone: ZoneInfo) -> InputSpec:
    """An InputSpec from its declaration; raises InputValueError for a default that does not fit.

    Raised errors name the part of the declaration at fault in their first word
    (``default:`` or ``choices:``) so that the loader can point at its line.
    """
    from passkit.layout.templating import zone

    item_type = decl.items or (decl.type if decl.type is not InputType.LIST else None)
    spec = InputSpec(
        name=name,
        type=decl.type,
        required=False,
        default=None,
        description=decl.description,
        min=decl.min,
        max=decl.max,
        min_length=decl.min_length,
        max_length=decl.max_length,
        pattern=decl.pattern,
        currency=decl.currency,
        time_zone=zone(decl.time_zone) if decl.time_zone else layout_zone,
        items=decl.items,
        max_items=decl.max_items,
    )
    choices: tuple[Any, ...] | None = None
    if decl.choices is not None:
        converted = []
        for choice in decl.choices:
            try:
                converted.append(
                    _CONVERTERS[item_type](spec, choice) if item_type is not None else choice
                )
            except InputValueError as exc:
                raise InputValueError(f"choices: {exc}") from None
        choices = tuple(converted)
    has_default = "default" in decl.model_fields_set
    required = decl.required if decl.required is not None else not has_default
    spec = replace(spec, choices=choices, required=required)
    default = None
    if has_default and decl.default is not None:
        try:
            default = spec.check(decl.default)
        except InputValueError as exc:
            raise InputValueError(f"default: {exc}") from None
    return replace(spec, default=default)


_JSON_TYPES: dict[InputType, dict[str, Any]] = {
    InputType.STRING: {"type": "string"},
    InputType.INTEGER: {"type": "integer"},
    InputType.DECIMAL: {"type": ["number", "string"]},
    InputType.MONEY: {
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "amount": {"type": ["number", "string"]},
                    "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                },
                "required": ["amount", "currency"],
                "additionalProperties": False,
            },
            {"type": "string", "description": "an amount and its currency, e.g. '12.50 EUR'"},
            {"type": "number"},
        ]
    },
    InputType.DATETIME: {"type": "string", "format": "date-time"},
    InputType.DATE: {"type": "string", "format": "date"},
    InputType.BOOLEAN: {"type": "boolean"},
    InputType.LIST: {"type": "array"},
}


def record_json_schema(inputs: Mapping[str, InputSpec], title: str) -> dict[str, Any]:
    """A JSON Schema of the records a layout takes, in their JSON form (typed values)."""
    properties: dict[str, Any] = {}
    for name, spec in inputs.items():
        schema: dict[str, Any] = dict(_JSON_TYPES[spec.type])
        if spec.type is InputType.LIST and spec.items is not None:
            schema["items"] = dict(_JSON_TYPES[spec.items])
            if spec.choices is not None:
                schema["items"]["enum"] = [_json_value(choice) for choice in spec.choices]
            if spec.max_items is not None:
                schema["maxItems"] = spec.max_items
        elif spec.choices is not None:
            schema["enum"] = [_json_value(choice) for choice in spec.choices]
        if spec.type in (InputType.INTEGER, InputType.DECIMAL):
            if spec.min is not None:
                schema["minimum"] = _json_value(spec.min)
            if spec.max is not None:
                schema["maximum"] = _json_value(spec.max)
        if spec.type is InputType.STRING:
            if spec.pattern is not None:
                schema["pattern"] = f"^(?:{spec.pattern})$"
            if spec.min_length is not None:
                schema["minLength"] = spec.min_length
            if spec.max_length is not None:
                schema["maxLength"] = spec.max_length
        if spec.description:
            schema["description"] = spec.description
        if spec.default is not None:
            schema["default"] = _json_value(spec.default)
        properties[name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "type": "object",
        "properties": properties,
        "required": [name for name, spec in inputs.items() if spec.required],
        "additionalProperties": False,
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Money):
        return {"amount": str(value.amount), "currency": value.currency}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    return value


def is_absent(spec: InputSpec, value: Any) -> bool:
    """None is absent; so is empty text for every type but string (CSV cells are text)."""
    return value is None or (
        spec.type is not InputType.STRING and isinstance(value, str) and not value.strip()
    )
