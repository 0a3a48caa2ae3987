"""Formatting filters: numbers, money and dates in the layout's locale and time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from passkit.errors import DataError
from passkit.layout.templating import ENVIRONMENT
from passkit.model import Money
from tests.support.layout import render, value, with_inputs

EUROS = Money(amount=Decimal("1234.5"), currency="EUR")
EVENING = datetime(2026, 12, 1, 19, 30, tzinfo=UTC)  # 20:30 in Paris, 04:30 next day in Tokyo


def show(template: str, locale: str = "en", time_zone: str = "UTC", **names: Any) -> str:
    """Render with the layouts' own sandboxed environment, as a layout's template is."""
    return ENVIRONMENT.from_string(template).render(locale=locale, time_zone=time_zone, **names)


@pytest.mark.parametrize(
    ("template", "locale", "expected"),
    [
        ("{{ 1234567 | number }}", "en", "1,234,567"),
        ("{{ 1234567.891 | number(2) }}", "fr", "1\u202f234\u202f567,89"),
        ("{{ 1234.5 | number(0) }}", "de", "1.234"),
        ("{{ 2.5 | number(3) }}", "en", "2.500"),
        ("{{ '1234' | number }}", "en", "1,234"),
        ("{{ 1234 | number(locale='de') }}", "en", "1.234"),
    ],
)
def test_number(template: str, locale: str, expected: str) -> None:
    assert show(template, locale) == expected


def test_percent() -> None:
    assert show("{{ 0.256 | percent }}") == "26%"
    assert show("{{ 0.256 | percent(1) }}", "fr") == "25,6\xa0%"


def test_money() -> None:
    assert show("{{ m | money }}", m=EUROS) == "€1,234.50"
    assert show("{{ m | money }}", "fr", m=EUROS) == "1\u202f234,50\xa0€"
    assert show("{{ 25 | money('USD') }}", "en_US") == "$25.00"
    assert show("{{ m | money(decimals=false) }}", m=Money(amount=25, currency="EUR")) == "€25"
    assert show("{{ m | money(decimals=false) }}", m=EUROS) == "€1,234.50"  # cents kept
    assert show("{{ m.amount }} {{ m.currency }}", m=EUROS) == "1234.5 EUR"
    with pytest.raises(ValueError, match="give its currency"):
        show("{{ 25 | money }}")


def test_dates_in_the_layout_zone_and_locale() -> None:
    assert show("{{ d | date }}", time_zone="Europe/Paris", d=EVENING) == "Dec 1, 2026"
    assert show("{{ d | date }}", time_zone="Asia/Tokyo", d=EVENING) == "Dec 2, 2026"
    assert show("{{ d | date('long') }}", "fr", "Europe/Paris", d=EVENING) == "1 décembre 2026"
    assert show("{{ d | date('d MMM y') }}", d=EVENING) == "1 Dec 2026"
    assert show("{{ d | date }}", d=date(2026, 2, 3)) == "Feb 3, 2026"
    assert show("{{ '2026-02-03' | date('full') }}") == "Tuesday, February 3, 2026"


def test_datetime_and_time() -> None:
    assert show("{{ d | datetime('short') }}", "en", "Europe/Paris", d=EVENING) == (
        "12/1/26, 8:30\u202fPM"
    )
    assert show("{{ d | time }}", "fr", "Europe/Paris", d=EVENING) == "20:30"
    assert show("{{ d | time(tz='America/New_York') }}", d=EVENING) == "2:30\u202fPM"
    with pytest.raises(TypeError, match="without a time of day"):
        show("{{ d | time }}", d=date(2026, 1, 1))


def test_date_arithmetic_and_zones() -> None:
    assert show("{{ d | in_zone('Asia/Tokyo') | isoformat }}", d=EVENING) == (
        "2026-12-02T04:30:00+09:00"
    )
    assert show("{{ d | add_days(30) | isoformat }}", d=EVENING) == "2026-12-31T19:30:00+00:00"
    assert show("{{ d | add_hours(-2) | isoformat }}", d=EVENING) == "2026-12-01T17:30:00+00:00"
    assert show("{{ d | add_days(1) | isoformat }}", d=date(2026, 1, 31)) == "2026-02-01"
    with pytest.raises(ValueError, match="not a known time zone"):
        show("{{ d | in_zone('Mars/Olympus') }}", d=EVENING)


def test_text_helpers() -> None:
    assert show("{{ '6012345678901234' | mask }}") == "••••••••••••1234"
    assert show("{{ '6012345678901234' | mask(2, '*') }}") == "**************34"
    assert show("{{ '6012345678901234' | group }}") == "6012 3456 7890 1234"
    assert show("{{ 'ABCDEFG' | group(3, '-') }}") == "ABC-DEF-G"
    assert show("{{ 42 | pad(6) }}") == "000042"
    assert show("{{ 'ada  lovelace' | initials }}") == "AL"
    assert show("{{ 1 | plural('point', 'points') }}, {{ 2 | plural('point', 'points') }}") == (
        "point, points"
    )
    # jinja2's own filters are there too
    assert show("{{ 'gold' | upper }} {{ none | default('-', true) }}") == "GOLD -"


def test_unknown_locale_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="not a known locale"):
        show("{{ 1 | number }}", locale="xx_YY")


def test_filters_in_a_layout_use_its_locale_and_zone(tmp_path: Path) -> None:
    loaded = with_inputs(
        tmp_path,
        "balance: money\nwhen: datetime\n",
        """\
        language: fr
        time_zone: Europe/Paris
        fields:
          primary:
            - {key: b, value: "{{ balance | money }}"}
            - {key: d, value: "{{ when | date('long') }} {{ when | time }}"}
            - {key: n, value: "{{ balance.amount | number(1, locale='en') }}"}
        """,
    )
    p = render(
        loaded,
        {"id": "1", "balance": "1234.50 EUR", "when": "2026-12-01T19:30:00Z"},
    )
    assert value(p, "b") == "1\u202f234,50\xa0€"
    assert value(p, "d") == "1 décembre 2026 20:30"
    assert value(p, "n") == "1,234.5"


def test_a_filter_given_the_wrong_value_is_a_data_error(tmp_path: Path) -> None:
    loaded = with_inputs(
        tmp_path,
        "note: string\n",
        """\
        fields:
          primary:
            - key: n
              value: "{{ note | number }}"
        """,
    )
    with pytest.raises(DataError) as caught:
        render(loaded, {"id": "1", "note": "lots"}, record_name="rec-9")
    message = str(caught.value)
    assert "fields.primary[0].value" in message and "layout.yaml:11" in message
    assert "number: expected a number" in message and "rec-9" in message
    assert caught.value.input == "note"
