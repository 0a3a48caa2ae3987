"""The fields of a pass: one label and value each (`PassField`), the groups they are shown in,
and the values they hold (text, numbers, `Money`, dates with a time zone)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self

from pydantic import AwareDatetime, Field, field_validator, model_validator

from passkit.apple_rules import rule
from passkit.currency import currency_breach, money_problem
from passkit.model.base import Model
from passkit.model.choices import Alignment, DateStyle, LinkKind, NumberStyle

FIELD_GROUPS = ("header", "primary", "secondary", "auxiliary", "back")


class Money(Model):
    """An amount in a currency (ISO 4217 code, e.g. EUR)."""

    field_rules: ClassVar[Mapping[str, str]] = {"currency": "apple.field.currency"}

    amount: Decimal
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]

    @field_validator("amount", mode="before")
    @classmethod
    def _no_binary_floats(cls, value: Any) -> Any:
        # A float like 0.1 has no exact decimal value; go through its shortest repr instead.
        return str(value) if isinstance(value, float) else value

    @model_validator(mode="after")
    def _shown_as_given(self) -> Self:
        # A known currency, and no more decimals than the wallets will show.
        breach = currency_breach(self.currency)
        if breach is not None:
            raise breach
        problem = money_problem(self.amount, self.currency)
        if problem is not None:
            raise ValueError(problem)
        return self

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


FieldValue = str | int | Decimal | Money | AwareDatetime


class PassField(Model):
    """One label/value pair shown on the pass, in one of the groups of `Pass`."""

    field_rules: ClassVar[Mapping[str, str]] = {"currency": "apple.field.currency"}

    key: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.\-]+$", max_length=64)]
    label: str | None = None
    value: FieldValue
    date_style: DateStyle | None = None
    time_style: DateStyle | None = None
    relative: bool = False
    ignores_time_zone: bool = False
    number_style: NumberStyle | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    alignment: Alignment | None = None
    change_message: str | None = None
    link: LinkKind | None = None

    @field_validator("value", mode="before")
    @classmethod
    def _value(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise rule("apple.field.value").broken(
                problem="a field value is text, a number, money or a date, not true/false"
            )
        if isinstance(value, float):
            return Decimal(str(value))
        if isinstance(value, datetime) and value.tzinfo is None:
            raise rule("apple.date.time-zone").broken(problem="a date/time value needs a time zone")
        return value

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, code: str | None) -> str | None:
        breach = None if code is None else currency_breach(code)
        if breach is not None:
            raise breach
        return code

    @property
    def is_date(self) -> bool:
        return isinstance(self.value, datetime)
