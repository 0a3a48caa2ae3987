"""The inputs a layout declares, ready to check records: `InputSpec`, made from each
declaration by `build_input` (its default and choices checked once, when the layout loads).

`InputSpec.read` takes a record's value for one input: the value read as the input's type
(`passkit.layout.input_values`) and checked against its constraints (choices, bounds, length,
pattern), or the default when the record has none. Empty text counts as absent for every type
but string.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from passkit.errors import DataError
from passkit.layout.dates import zone
from passkit.layout.input_decl import InputDecl, InputType
from passkit.layout.input_values import (
    InputValueError,
    as_boolean,
    as_date,
    as_datetime,
    as_decimal,
    as_integer,
    as_list,
    as_money,
    as_string,
    shown,
)
from passkit.model.fields import Money


class MissingInput(Exception):
    """A required input has no value in the record (`InputSpec.read`)."""


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
                return absent() if value is None else as_string(value)

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
            items = as_list(value)
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
            raise InputValueError(f"expected one of {allowed}, got {shown(value)}")
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
                raise InputValueError(f"{shown(value)} does not match the pattern {self.pattern!r}")


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
        value if type(value) is str and value.isascii() else as_string(value)
    ),
    InputType.INTEGER: lambda spec, value: as_integer(value),
    InputType.DECIMAL: lambda spec, value: as_decimal(value),
    InputType.MONEY: lambda spec, value: as_money(value, spec.currency),
    InputType.DATETIME: lambda spec, value: as_datetime(value, spec.time_zone),
    InputType.DATE: lambda spec, value: as_date(value),
    InputType.BOOLEAN: lambda spec, value: as_boolean(value),
    InputType.LIST: lambda spec, value: as_list(value),
}


def build_input(name: str, decl: InputDecl, layout_zone: ZoneInfo) -> InputSpec:
    """An InputSpec from its declaration; raises InputValueError for a default that does not fit.

    Raised errors name the part of the declaration at fault in their first word
    (``default:`` or ``choices:``) so that the loader can point at its line.
    """
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


# What reading an input's value may raise: a converter's refusal (InputValueError, a ValueError),
# MissingInput, or what a value broke on its way (an overflow, a nesting too deep).
READ_ERRORS = (ValueError, ArithmeticError, RecursionError, MissingInput)


def input_refusal(spec: InputSpec, error: Exception, record: str) -> DataError:
    """The DataError that names `record` and the input `spec` for `error` (one of
    READ_ERRORS), raised while reading the input's value: said in words, never a traceback."""
    if isinstance(error, MissingInput):
        about = f" ({spec.description})" if spec.description else ""
        message = f"missing: this {spec.type.value} input is required{about}"
    elif isinstance(error, InputValueError):
        message = str(error)
    else:  # not a refusal a converter wrote: say what the value broke
        message = f"the value cannot be read ({type(error).__name__}: {error})"
    return DataError(message, record=record, input=spec.name)


def is_absent(spec: InputSpec, value: Any) -> bool:
    """None is absent; so is empty text for every type but string (CSV cells are text)."""
    return value is None or (
        spec.type is not InputType.STRING and isinstance(value, str) and not value.strip()
    )
