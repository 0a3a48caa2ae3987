"""Compact UTF-8 JSON whose Decimal values are written as exact JSON numbers.

`json.dumps` knows no Decimal, and going through float would turn 0.10 into 0.1 and 1.005 into
1.00499999.... Each Decimal is first written as a marker string, then the marker is replaced by
the number's exact digits. A text value that happens to look like a marker is detected (the
count of replacements differs) and the object is then written by a slower, plain recursive
encoder that needs no marker.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any
from uuid import UUID

from passkit.errors import WalletRuleError

# json.dumps escapes the NUL character as \u0000 even with ensure_ascii=False.
_MARKER = re.compile(r'"\\u0000(\d+)"')


def w3c_datetime(moment: datetime) -> str:
    """A W3C/ISO 8601 timestamp with seconds and the time-zone offset, as Apple expects."""
    return moment.isoformat(timespec="seconds")


def decimal_text(number: Decimal) -> str:
    if not number.is_finite():
        raise WalletRuleError(f"{number} is not a number JSON can hold; use a finite amount")
    return format(number, "f")


def plain_json_value(value: Any) -> Any:
    """The JSON form of the few non-JSON values a pass may carry (user info, for instance)."""
    if isinstance(value, datetime):
        return w3c_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value).upper()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise WalletRuleError(
        f"a value of type {type(value).__name__} cannot be written to pass.json; "
        "use text, numbers, true/false, lists and objects"
    )


def dumps(obj: Any) -> bytes:
    """`obj` as compact UTF-8 JSON, Decimals exact, keys in the order given."""
    numbers: list[str] = []

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            numbers.append(decimal_text(value))
            return f"\x00{len(numbers) - 1}"
        return plain_json_value(value)

    try:
        text = json.dumps(
            obj, ensure_ascii=False, separators=(",", ":"), default=default, allow_nan=False
        )
    except (ValueError, TypeError) as exc:
        raise WalletRuleError(f"pass.json cannot hold a value: {exc}") from None
    if numbers:
        text, replaced = _MARKER.subn(lambda m: numbers[int(m.group(1))], text)
        if replaced != len(numbers):
            return _slow_dumps(obj)
    return text.encode("utf-8")


def _slow_dumps(obj: Any) -> bytes:
    parts: list[str] = []
    _write(obj, parts)
    return "".join(parts).encode("utf-8")


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise WalletRuleError(f"{value} is not a number JSON can hold")
        out.append(float.__repr__(value))
    elif isinstance(value, Decimal):
        out.append(decimal_text(value))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                # The same keys json.dumps accepts, written the way it writes them.
                if key is not None and not isinstance(key, int | float):
                    raise WalletRuleError(f"JSON object keys must be text, not {key!r}")
                key = json.dumps(key)
            if index:
                out.append(",")
            out.append(encode_basestring(key))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        _write(plain_json_value(value), out)
