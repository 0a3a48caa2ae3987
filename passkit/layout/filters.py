"""The filters of layout templates: numbers, percentages, money, dates and times, and text.

Each filter takes the value first; the locale and time zone default to the layout's own (the
render context's `locale` and `time_zone`). `FILTERS` names them as templates write them;
passkit.layout.templating puts them in the sandbox, each bounded (passkit.layout.sandbox).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import pass_context
from jinja2.runtime import Context

from passkit.layout.dates import zone
from passkit.model.fields import Money

if TYPE_CHECKING:
    import babel


# babel is imported by the filters that format, when first called: its import is a cost of
# start-up that layouts without those filters need not pay (docs/performance.md).


@functools.lru_cache(maxsize=64)
def _locale(tag: str) -> babel.Locale:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise ValueError(f"{tag!r} is not a known locale; use forms like 'en', 'fr_FR'") from None


def _context_locale(context: Context, locale: str | None) -> babel.Locale:
    return _locale(locale or str(context.get("locale") or "en"))


def _context_zone(context: Context, tz: str | None) -> ZoneInfo:
    return zone(tz or str(context.get("time_zone") or "UTC"))


def _shown_in_zone(context: Context, moment: datetime, tz: str | None) -> tuple[datetime, ZoneInfo]:
    """The zone a moment is shown in (the layout's, or `tz`), and the moment placed in it when
    it was given without one."""
    zone_info = _context_zone(context, tz)
    return (moment.replace(tzinfo=zone_info) if moment.tzinfo is None else moment), zone_info


def _number(value: Any, name: str) -> Decimal | int:
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected a number, got {value!r}")
    if isinstance(value, int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Money):
        return value.amount
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation:
            pass
    raise TypeError(f"{name}: expected a number, got {value!r}")


def _with_decimals(pattern: str, decimals: int) -> str:
    """A CLDR number pattern showing exactly `decimals` digits after the point."""
    fraction = "." + "0" * decimals if decimals > 0 else ""
    return ";".join(
        re.sub(r"0(?:\.[0#]*)?", "0" + fraction, part, count=1) for part in pattern.split(";")
    )


@pass_context
def number_filter(
    context: Context, value: Any, decimals: int | None = None, locale: str | None = None
) -> str:
    """``{{ 12345 | number }}`` -> ``12,345``; `decimals` fixes the digits after the point."""
    from babel.numbers import format_decimal

    amount = _number(value, "number")
    where = _context_locale(context, locale)
    pattern = None
    if decimals is not None:
        pattern = _with_decimals(where.decimal_formats[None].pattern, decimals)
    return format_decimal(
        amount, format=pattern, locale=where, decimal_quantization=decimals is not None
    )


@pass_context
def percent_filter(
    context: Context, value: Any, decimals: int = 0, locale: str | None = None
) -> str:
    """``{{ 0.25 | percent }}`` -> ``25%`` (a share of 1, as the locale writes percentages)."""
    from babel.numbers import format_percent

    where = _context_locale(context, locale)
    pattern = _with_decimals(where.percent_formats[None].pattern, decimals)
    return format_percent(_number(value, "percent"), format=pattern, locale=where)


@pass_context
def money_filter(
    context: Context,
    value: Any,
    currency: str | None = None,
    locale: str | None = None,
    decimals: bool = True,
) -> str:
    """``{{ balance | money }}`` -> ``€25.00``; a plain number needs the currency: ``money('EUR')``.

    `decimals=false` drops the cents of whole amounts (``€25``).
    """
    from babel.numbers import format_currency

    amount: Decimal | int
    if isinstance(value, Money):
        amount, code = value.amount, currency or value.currency
    else:
        amount = _number(value, "money")
        if currency is None:
            raise ValueError(
                f"money: {value!r} is a plain number; give its currency, e.g. money('EUR')"
            )
        code = currency
    where = _context_locale(context, locale)
    if not decimals and amount == int(amount):
        pattern = where.currency_formats["standard"].pattern
        pattern = re.sub(r"\.0+", "", pattern)
        return format_currency(amount, code, format=pattern, locale=where, currency_digits=False)
    return format_currency(amount, code, locale=where)


def _as_datetime(value: Any, name: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise TypeError(f"{name}: expected a date or date-time, got {value!r}")


@pass_context
def date_filter(
    context: Context,
    value: Any,
    format: str = "medium",
    locale: str | None = None,
    tz: str | None = None,
) -> str:
    """``{{ expires | date }}`` -> ``Dec 1, 2026``; format short/medium/long/full or a pattern."""
    from babel.dates import format_date

    moment = _as_datetime(value, "date")
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(_context_zone(context, tz))
    day = moment.date() if isinstance(moment, datetime) else moment
    return format_date(day, format=format, locale=_context_locale(context, locale))


@pass_context
def datetime_filter(
    context: Context,
    value: Any,
    format: str = "medium",
    locale: str | None = None,
    tz: str | None = None,
) -> str:
    """``{{ starts_at | datetime('short') }}``, shown in the layout's time zone (or `tz`)."""
    from babel.dates import format_datetime

    moment = _as_datetime(value, "datetime")
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day)
    moment, zone_info = _shown_in_zone(context, moment, tz)
    return format_datetime(
        moment, format=format, tzinfo=zone_info, locale=_context_locale(context, locale)
    )


@pass_context
def time_filter(
    context: Context,
    value: Any,
    format: str = "short",
    locale: str | None = None,
    tz: str | None = None,
) -> str:
    """``{{ departs_at | time }}`` -> ``9:41 AM``, in the layout's time zone (or `tz`)."""
    from babel.dates import format_time

    moment = _as_datetime(value, "time")
    if not isinstance(moment, datetime):
        raise TypeError(f"time: {value!r} is a date without a time of day")
    moment, zone_info = _shown_in_zone(context, moment, tz)
    return format_time(
        moment, format=format, tzinfo=zone_info, locale=_context_locale(context, locale)
    )


@pass_context
def in_zone_filter(context: Context, value: Any, tz: str | None = None) -> datetime:
    """``{{ starts_at | in_zone('America/New_York') }}``: the same moment in another zone."""
    moment = _as_datetime(value, "in_zone")
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise TypeError(f"in_zone: {value!r} has no time zone to convert from")
    return moment.astimezone(_context_zone(context, tz))


def isoformat_filter(value: Any) -> str:
    """``{{ starts_at | isoformat }}`` -> ``2026-12-01T20:00:00+01:00``."""
    return _as_datetime(value, "isoformat").isoformat()


def add_days_filter(value: Any, days: int | float) -> date:
    """``{{ now | add_days(30) }}``: a date or date-time some days later (negative: earlier)."""
    return _as_datetime(value, "add_days") + timedelta(days=days)


def add_hours_filter(value: Any, hours: int | float) -> datetime:
    """``{{ now | add_hours(12) }}``: a date-time some hours later."""
    moment = _as_datetime(value, "add_hours")
    if not isinstance(moment, datetime):
        raise TypeError(f"add_hours: {value!r} is a date without a time of day")
    return moment + timedelta(hours=hours)


def mask_filter(value: Any, visible: int = 4, char: str = "•") -> str:
    """``{{ card_number | mask }}`` -> ``••••••••••••1234``: hides all but the last characters."""
    text = str(value)
    shown = text[-visible:] if visible > 0 else ""
    return char * (len(text) - len(shown)) + shown


def group_filter(value: Any, size: int = 4, separator: str = " ") -> str:
    """``{{ '6012345678901234' | group }}`` -> ``6012 3456 7890 1234``."""
    if size < 1:
        raise ValueError("group: size must be at least 1")
    text = str(value)
    return separator.join(text[i : i + size] for i in range(0, len(text), size))


def pad_filter(value: Any, width: int, fill: str = "0") -> str:
    """``{{ 42 | pad(6) }}`` -> ``000042``."""
    if len(fill) != 1:
        raise ValueError("pad: fill must be one character")
    return str(value).rjust(width, fill)


def initials_filter(value: Any) -> str:
    """``{{ 'Ada Lovelace' | initials }}`` -> ``AL``."""
    return "".join(word[0] for word in str(value).split() if word).upper()


def plural_filter(count: Any, singular: str, plural: str) -> str:
    """``{{ points | plural('point', 'points') }}``: the word that suits the number."""
    return singular if _number(count, "plural") == 1 else plural


FILTERS: dict[str, Callable[..., Any]] = {
    "number": number_filter,
    "percent": percent_filter,
    "money": money_filter,
    "date": date_filter,
    "datetime": datetime_filter,
    "time": time_filter,
    "in_zone": in_zone_filter,
    "isoformat": isoformat_filter,
    "add_days": add_days_filter,
    "add_hours": add_hours_filter,
    "mask": mask_filter,
    "group": group_filter,
    "pad": pad_filter,
    "initials": initials_filter,
    "plural": plural_filter,
}
