"""The building blocks of the layout format: `Spec`, the base of each of its parts, and the
types of values its keys take.

A `Spec` is immutable and refuses unknown keys with a suggestion of the key that was probably
meant. Values that may vary per pass accept a jinja2 template (``"{{ points }}"``); such strings
are compiled here, once, into `Template` objects, and anything else must be a literal of the
key's type.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from passkit.colors import Color
from passkit.currency import currency_problem
from passkit.layout.dates import zone
from passkit.layout.templating import Template, TemplateError, compile_template, is_template
from passkit.model.choices import Status
from passkit.model.fields import Money

KEY_PATTERN = r"^[A-Za-z0-9_.\-]+$"

_TEMPLATE_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"\{[{%#]",
    "description": "a jinja2 template, e.g. '{{ points }}'",
}


def _with_template(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, _TEMPLATE_SCHEMA]}


def _compile(text: str) -> Template:
    try:
        return compile_template(text)
    except TemplateError as exc:
        raise ValueError(str(exc)) from None


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _templated(convert: Callable[[Any], Any], expected: str) -> Callable[[Any], Any]:
    """A validator taking a template, or a literal that `convert` accepts (else: `expected`)."""

    def validate(value: Any) -> Any:
        if isinstance(value, str) and is_template(value):
            return _compile(value)
        try:
            return convert(value)
        except (ValueError, TypeError) as exc:
            detail = str(exc)
            reason = f": {detail}" if detail and not detail.startswith("expected") else ""
            raise ValueError(
                f"expected {expected} or a {{{{ template }}}}, got {_shown(value)}{reason}"
            ) from None

    return validate


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise TypeError("expected")


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise TypeError("expected")


def _float(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError("expected")


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError("expected")


def _status(value: Any) -> Status:
    return Status(value)


def _color(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected")
    Color.parse(value)
    return value


def _moment(value: Any) -> datetime | date:
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    raise TypeError("expected")


def _field_value(value: Any) -> str | int | Decimal | Money:
    if isinstance(value, bool):
        raise TypeError("a field value is text, a number or money, not true/false")
    if isinstance(value, str | int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict) and set(value) == {"amount", "currency"}:
        return Money(amount=value["amount"], currency=value["currency"])
    raise TypeError("expected")


def _any(value: Any) -> Any:
    """Free data (user info): strings may be templates, containers are walked."""
    if isinstance(value, str):
        return _compile(value) if is_template(value) else value
    if isinstance(value, dict):
        return {str(key): _any(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_any(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    raise TypeError(f"expected JSON data, got {_shown(value)}")


def _known_zone(name: str) -> str:
    zone(name)  # an unknown name raises ValueError, saying what to write instead
    return name


Text = Annotated[
    str | Template,
    PlainValidator(_templated(_text, "text (in quotes)")),
    WithJsonSchema({"type": "string"}),
]
TemplatedInt = Annotated[
    int | Template,
    PlainValidator(_templated(_integer, "a whole number")),
    WithJsonSchema(_with_template({"type": "integer"})),
]
TemplatedFloat = Annotated[
    float | Template,
    PlainValidator(_templated(_float, "a number")),
    WithJsonSchema(_with_template({"type": "number"})),
]
TemplatedBool = Annotated[
    bool | Template,
    PlainValidator(_templated(_boolean, "true or false")),
    WithJsonSchema(_with_template({"type": "boolean"})),
]
TemplatedStatus = Annotated[
    Status | Template,
    PlainValidator(_templated(_status, "one of " + ", ".join(s.value for s in Status))),
    WithJsonSchema(_with_template({"enum": [s.value for s in Status]})),
]
TemplatedColor = Annotated[
    str | Template,
    PlainValidator(_templated(_color, "a colour (#rrggbb, rgb(r, g, b) or a CSS name)")),
    WithJsonSchema({"type": "string", "description": "#rrggbb, rgb(r, g, b) or a CSS name"}),
]
TemplatedMoment = Annotated[
    datetime | date | Template,
    PlainValidator(
        _templated(_moment, "an ISO 8601 date or date-time (2026-12-01 or 2026-12-01T20:00+01:00)")
    ),
    WithJsonSchema({"type": "string", "description": "ISO 8601 date or date-time, or template"}),
]
FieldValue = Annotated[
    str | int | Decimal | Money | Template,
    PlainValidator(_templated(_field_value, "text, a number or {amount, currency}")),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "number"},
                {
                    "type": "object",
                    "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
                    "required": ["amount", "currency"],
                    "additionalProperties": False,
                },
            ]
        }
    ),
]
FreeData = Annotated[
    dict[str, Any],
    PlainValidator(lambda value: _any(value) if isinstance(value, dict) else _mapping_error(value)),
    WithJsonSchema({"type": "object"}),
]


def _known_currency(code: str) -> str:
    problem = currency_problem(code)
    if problem is not None:
        raise ValueError(problem)
    return code


Key = Annotated[str, Field(pattern=KEY_PATTERN, max_length=64)]
ZoneName = Annotated[str, AfterValidator(_known_zone)]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$"), AfterValidator(_known_currency)]


def _mapping_error(value: Any) -> Any:
    raise ValueError(f"expected a mapping of keys to values, got {_shown(value)}")


class Spec(BaseModel):
    """Base of every part of the format: immutable, unknown keys refused with a suggestion."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = set(cls.model_fields)
            for key in data:
                if key not in known:
                    close = difflib.get_close_matches(str(key), sorted(known), n=1)
                    hint = f"; did you mean '{close[0]}'?" if close else ""
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'{hint} (allowed here: {allowed})",
                        {"key": key, "hint": hint, "allowed": ", ".join(sorted(known))},
                    )
        elif not isinstance(data, BaseModel):
            raise PydanticCustomError(
                "not_a_mapping",
                "expected a mapping of keys ({allowed}), got {got}",
                {"allowed": ", ".join(cls.model_fields), "got": _shown(data)},
            )
        return data
