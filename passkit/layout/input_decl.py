"""How a layout declares its inputs (``inputs:``): the type of each and its constraints, as
written in the file. `passkit.layout.inputs` turns each declaration into an `InputSpec` that
checks records.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Any, Self

from pydantic import Field, field_validator, model_validator

from passkit.layout.spec_base import CurrencyCode, Spec, ZoneName

INPUT_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"


class InputType(StrEnum):
    """The type an input of a layout declares; its values are read and checked in inputs.py."""

    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    DATETIME = "datetime"
    DATE = "date"
    BOOLEAN = "boolean"
    LIST = "list"


class InputDecl(Spec):
    """One variable a record provides. Written in full, or as just its type: ``points: integer``."""

    type: InputType = Field(
        description="string, integer, decimal, money, datetime, date, boolean or list"
    )
    description: str | None = None
    required: bool | None = Field(
        default=None, description="default: required unless a default is given"
    )
    default: Any = Field(default=None, description="the value used when the record has none")
    choices: list[Any] | None = Field(default=None, description="the only values allowed")
    min: Decimal | None = Field(default=None, description="smallest number (or amount) allowed")
    max: Decimal | None = Field(default=None, description="largest number (or amount) allowed")
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    pattern: str | None = Field(default=None, description="a regular expression text must match")
    currency: CurrencyCode | None = Field(
        default=None, description="money: the currency of plain amounts, and the only one allowed"
    )
    time_zone: ZoneName | None = Field(
        default=None, description="datetime: the zone of times given without one"
    )
    items: InputType | None = Field(default=None, description="list: the type of every item")
    max_items: int | None = Field(default=None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"type": data} if isinstance(data, str) else data

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return value

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.items is InputType.LIST:
            raise ValueError("items: a list of lists is not supported; use a list of values")
        if self.items is not None and self.type is not InputType.LIST:
            raise ValueError("items: only a list input has items")
        if self.required and "default" in self.model_fields_set:
            raise ValueError("an input with a default is not required; remove one of the two")
        return self
