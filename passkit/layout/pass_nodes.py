"""Plan nodes that follow the pass's own rules: a field whose value comes out empty is left out
(and a date value shows as a date); the barcode is left out when its message comes out empty."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from passkit.layout.dates import to_datetime
from passkit.layout.plan import OMIT, ModelNode, Node
from passkit.model.choices import DateStyle
from passkit.model.fields import PassField


class FieldNode(ModelNode):
    """A pass field: left out when its value is empty; a date value shows as a date."""

    __slots__ = ("zone",)

    def __init__(self, children: Mapping[str, Node], where: str, zone: ZoneInfo) -> None:
        super().__init__(PassField, children, where)
        self.zone = zone

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        arguments = self.arguments(values)
        value = arguments.get("value")
        if value is None:
            return OMIT
        if isinstance(value, date):
            _place_moment(arguments, value, self.zone)
        return arguments


def _place_moment(arguments: dict[str, Any], value: date, zone: ZoneInfo) -> None:
    """A field's date shows as a date (midnight in the layout's zone, time zone ignored); a
    date-time without a zone is read in the layout's zone."""
    if not isinstance(value, datetime):
        arguments["value"] = to_datetime(value, zone)
        arguments.setdefault("date_style", DateStyle.MEDIUM)
        arguments.setdefault("time_style", DateStyle.NONE)
        arguments["ignores_time_zone"] = True
    elif value.tzinfo is None:
        arguments["value"] = value.replace(tzinfo=zone)


class BarcodeNode(ModelNode):
    """The barcode, left out when its message comes out empty."""

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        if not values.get("barcode_value"):
            return None
        return super().evaluate(values)
