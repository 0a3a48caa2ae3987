"""The JSON Schema of the records a layout takes, in their JSON form (typed values), made from
its declared inputs (`Layout.record_schema`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from passkit.layout.input_decl import InputType
from passkit.layout.inputs import InputSpec
from passkit.model.fields import Money

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
