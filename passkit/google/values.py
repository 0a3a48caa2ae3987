"""Field values as the text Google shows: Google has no date or number styles, so passkit
formats each value itself, in each language of the pass (babel, CLDR data).

Apple formats dates, numbers and amounts on the device from styles; Google shows strings. So
a date field with `date_style: medium` becomes "Dec 1, 2026" in English and "01.12.2026" in
German, computed once per language of the pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal, format_percent, format_scientific

from passkit.model.choices import DateStyle, NumberStyle
from passkit.model.fields import Money, PassField

_MICROS = Decimal(1_000_000)


@lru_cache(maxsize=64)
def locale_for(language: str) -> Locale:
    """The CLDR locale of a language tag ("pt-BR", "zh-Hans"), falling back to its language."""
    for candidate in (language, language.split("-")[0], "en"):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale("en")


def format_moment(
    moment: datetime, date_style: DateStyle | None, time_style: DateStyle | None, language: str
) -> str:
    # Equal instants in different zones compare equal: the zone is part of the cache key.
    return _format_moment(moment, moment.tzinfo, date_style, time_style, language)


@lru_cache(maxsize=4096)
def _format_moment(
    moment: datetime,
    zone: tzinfo | None,
    date_style: DateStyle | None,
    time_style: DateStyle | None,
    language: str,
) -> str:
    locale = locale_for(language)
    # Apple shows an unstyled date as it was given; a reader of Google needs a date and a time.
    if date_style is None and time_style is None:
        date_style, time_style = DateStyle.MEDIUM, DateStyle.SHORT
    shown_date = date_style if date_style is not DateStyle.NONE else None
    shown_time = time_style if time_style is not DateStyle.NONE else None
    date_text = format_date(moment, shown_date.value, locale=locale) if shown_date else ""
    time_text = ""
    if shown_time is not None:
        time_text = format_time(moment, shown_time.value, tzinfo=zone, locale=locale)
    if shown_date is not None and shown_time is not None:
        pattern = str(locale.datetime_formats.get(shown_date.value, "{1} {0}"))
        return pattern.replace("{1}", date_text).replace("{0}", time_text)
    return date_text or time_text


def format_number(number: int | Decimal, style: NumberStyle | None, language: str) -> str:
    # Keyed by text: Decimal("1.5") == Decimal("1.50"), but they are written differently.
    return _format_number(str(number), style, language)


@lru_cache(maxsize=4096)
def _format_number(number_text: str, style: NumberStyle | None, language: str) -> str:
    number = Decimal(number_text)
    locale = locale_for(language)
    if style is NumberStyle.PERCENT:
        return format_percent(number, locale=locale)
    if style is NumberStyle.SCIENTIFIC:
        return format_scientific(number, locale=locale)
    return format_decimal(number, locale=locale, decimal_quantization=False)


def format_money(amount: Decimal | int, currency: str, language: str) -> str:
    return _format_money(str(amount), currency, language)


@lru_cache(maxsize=4096)
def _format_money(amount_text: str, currency: str, language: str) -> str:
    return format_currency(Decimal(amount_text), currency, locale=locale_for(language))


def format_field_value(field: PassField, language: str, translate: Mapping[str, str] | None) -> str:
    """The display text of a field's value in `language` (texts through the translation table)."""
    value = field.value
    if isinstance(value, str):
        return translate.get(value, value) if translate else value
    if isinstance(value, datetime):
        return format_moment(value, field.date_style, field.time_style, language)
    if isinstance(value, Money):
        return format_money(value.amount, value.currency, language)
    if field.currency is not None:
        return format_money(value, field.currency, language)
    return format_number(value, field.number_style, language)


def micros(amount: Decimal | int) -> str:
    """An amount in millionths of the currency unit, as Google's Money wants it (int64 text)."""
    scaled = (Decimal(amount) * _MICROS).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
    return str(int(scaled))


def money_json(amount: Decimal | int, currency: str) -> dict[str, str]:
    return {"micros": micros(amount), "currencyCode": currency}


def google_datetime(moment: datetime) -> str:
    """ISO 8601 with the offset, as Google's DateTime and event/transit date fields take it."""
    return moment.isoformat(timespec="seconds")


def local_datetime(moment: datetime) -> str:
    """The wall-clock time without offset, as flight fields (local airport time) take it."""
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")
