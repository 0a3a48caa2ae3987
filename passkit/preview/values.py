"""Field labels and values as a person reads them: translated, dates, numbers and money formatted.

Wallets format a value on the phone, in the holder's language; the preview does the same with
babel so that a designer sees "1 250,50 €" or "12 déc. 2026, 09:00" rather than raw data.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal, format_percent, format_scientific

from passkit.model.choices import DateStyle, NumberStyle
from passkit.model.fields import Money, PassField
from passkit.model.pass_ import Pass


@lru_cache(maxsize=64)
def locale_for(language: str) -> Locale:
    """The babel locale of a language tag such as 'fr' or 'pt-BR'; English when unknown."""
    for candidate in (language.replace("-", "_"), language.split("-")[0]):
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")


def field_label(p: Pass, field: PassField, language: str) -> str:
    return p.localized(field.label, language) if field.label else ""


def field_value(p: Pass, field: PassField, language: str) -> str:
    """The value of a field as the wallet shows it in `language`."""
    value = field.value
    locale = locale_for(language)
    if isinstance(value, str):
        return p.localized(value, language)
    if isinstance(value, datetime):
        return _date_text(field, value, locale)
    if isinstance(value, Money):
        return format_currency(value.amount, value.currency, locale=locale)
    return _number_text(field, value, locale)


def _number_text(field: PassField, value: int | Decimal, locale: Locale) -> str:
    if field.currency:
        return format_currency(value, field.currency, locale=locale)
    if field.number_style is NumberStyle.PERCENT:
        return format_percent(value, locale=locale)
    if field.number_style is NumberStyle.SCIENTIFIC:
        return format_scientific(value, locale=locale)
    return format_decimal(value, locale=locale)


def _date_text(field: PassField, value: datetime, locale: Locale) -> str:
    date_style = field.date_style
    time_style = field.time_style
    if date_style is None and time_style is None:
        # A date with no style is shown by the wallets as a medium date and a short time.
        date_style, time_style = DateStyle.MEDIUM, DateStyle.SHORT
    show_date = date_style not in (None, DateStyle.NONE)
    show_time = time_style not in (None, DateStyle.NONE)
    if show_date and show_time:
        assert date_style is not None and time_style is not None
        # babel has one style for both parts: take the date's, the more visible one.
        date_part = format_date(value, format=date_style.value, locale=locale)
        time_part = format_time(value, format=time_style.value, locale=locale, tzinfo=value.tzinfo)
        pattern = locale.datetime_formats.get(date_style.value, "{1} {0}")
        # CLDR patterns quote literal words ('à'); the quotes are not shown.
        literal = str(pattern).replace("''", "\0").replace("'", "").replace("\0", "'")
        return literal.replace("{1}", date_part).replace("{0}", time_part)
    if show_date:
        assert date_style is not None
        return format_date(value, format=date_style.value, locale=locale)
    if show_time:
        assert time_style is not None
        return format_time(value, format=time_style.value, locale=locale, tzinfo=value.tzinfo)
    return format_datetime(value, format="medium", locale=locale, tzinfo=value.tzinfo)
