"""Reading one value as the type of an input: text, whole numbers, decimals, money, dates and
date-times, booleans and lists.

Records come from JSON (typed values), CSV (text only) or Python code. A value of the type is
taken as is; text is read when it is unambiguous ("42" for an integer, "true" for a boolean,
"12.50 EUR" for money, an ISO 8601 date). Anything else raises `InputValueError` with a message
that says what was expected and shows the value only as far as it is safe to.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from passkit.currency import money_problem
from passkit.errors import WalletRuleError
from passkit.model.fields import Money


class InputValueError(ValueError):
    """A value that does not suit its input; the message says what was expected."""


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


def shown(value: Any) -> str:
    """`value` as a message shows it: numbers by their size when they are too long to print,
    containers by their kind, anything else by its shortened repr."""
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
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_string(value: Any) -> str:
    if isinstance(value, str):
        return _text(value)
    raise InputValueError(f"expected text, got {shown(value)} (quote it in the record)")


def _text(value: str) -> str:
    """`value`, unless it holds a lone surrogate: half of a character, which no file or wallet
    can encode (JSON can write one as an escape such as \\ud800)."""
    if value.isascii() or not _SURROGATE.search(value):
        return value
    raise InputValueError(
        f"{shown(value)} holds a lone surrogate (half of a character), which is not text;"
        " check how the record was encoded"
    )


def as_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise InputValueError(f"expected a whole number, got {shown(value)}")
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, float | Decimal):
        number = _whole(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
        digits = value.strip().lstrip("+-").lstrip("0")
        number = int(value) if len(digits) <= MAX_DIGITS else _INTEGER_LIMIT
    if number is None:
        raise InputValueError(f"expected a whole number, got {shown(value)}")
    if abs(number) >= _INTEGER_LIMIT:
        raise InputValueError(
            f"expected a whole number of at most {MAX_DIGITS} digits, got {shown(value)}"
        )
    return number


def _whole(value: float | Decimal) -> int | None:
    """A finite float or Decimal without a fraction, as an int (bounded before it is made)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InputValueError(f"expected a finite whole number, got {shown(value)}")
    number = Decimal(value)
    if not number.is_finite():
        raise InputValueError(f"expected a finite whole number, got {shown(value)}")
    if number.adjusted() >= MAX_DIGITS:
        return _INTEGER_LIMIT
    whole = number.to_integral_value()
    return int(whole) if whole == number else None


def as_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InputValueError(f"expected a number, got {shown(value)}")
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
            raise InputValueError(f"expected a number, got {shown(value)}") from None
    else:
        raise InputValueError(f"expected a number, got {shown(value)}")
    if not result.is_finite():
        raise InputValueError(f"expected a finite number, got {shown(value)}")
    exponent = result.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    if result and (result.adjusted() >= MAX_DIGITS or places > MAX_DIGITS):
        raise InputValueError(
            f"expected a number with at most {MAX_DIGITS} digits before and after the point,"
            f" got {shown(value)}"
        )
    return result


def as_datetime(value: Any, zone: ZoneInfo | None) -> datetime:
    moment: datetime
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputValueError(
                f"expected an ISO 8601 date-time such as 2026-12-01T20:00:00+01:00, "
                f"got {shown(value)}"
            ) from None
    else:
        raise InputValueError(f"expected a date-time, got {shown(value)}")
    if moment.tzinfo is None:
        if zone is None:
            raise InputValueError(
                f"{shown(value)} has no time zone; add one (e.g. +01:00 or Z) "
                "or give the input a time_zone"
            )
        moment = moment.replace(tzinfo=zone)
    return moment


def as_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise InputValueError(f"expected a date without a time, got {value.isoformat()!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputValueError(f"expected a date such as 2026-12-01, got {shown(value)}")


def as_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise InputValueError(f"expected true or false, got {shown(value)}")


def as_money(value: Any, currency: str | None) -> Money:
    money: Money
    if isinstance(value, Money):
        money = value
    elif isinstance(value, Mapping):
        if set(value) != {"amount", "currency"}:
            raise InputValueError(
                f"expected money as {{amount, currency}}, got keys {sorted(map(str, value))}"
            )
        money = _money(as_decimal(value["amount"]), value["currency"])
    elif isinstance(value, str):
        match = _MONEY_TEXT.match(value)
        if match:
            amount = match.group("a1") or match.group("a2")
            code = (match.group("c1") or match.group("c2")).upper()
            money = _money(as_decimal(amount), code)
        elif currency is not None:
            money = _money(as_decimal(value), currency)
        else:
            raise InputValueError(f"expected money such as '12.50 EUR', got {shown(value)}")
    elif isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if currency is None:
            raise InputValueError(
                f"got {shown(value)} without a currency; write it as {{amount, currency}} "
                "or '12.50 EUR', or give the input a currency"
            )
        money = _money(as_decimal(value), currency)
    else:
        raise InputValueError(f"expected money such as '12.50 EUR', got {shown(value)}")
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


def as_list(value: Any) -> list[Any]:
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
    raise InputValueError(f"expected a list, got {shown(value)}")


def _check_plain(value: Any) -> None:
    """Refuse what an item of a list without an item type cannot hold: numbers that are not
    finite or too long, and text with lone surrogates, at any depth."""
    if isinstance(value, str):
        _text(value)
    elif isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        if isinstance(value, int):
            as_integer(value)
        else:
            as_decimal(value)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_plain(item)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check_plain(key)
            _check_plain(item)
