"""Expiry: a fixed moment or a delay after issue, optionally to the next midnight in a zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from passkit.errors import DataError, LayoutError
from passkit.layout import Layout
from passkit.model import DateStyle
from tests.support.layout import NOW, render, value, with_inputs

PARIS = ZoneInfo("Europe/Paris")


def expiring(tmp_path: Path, expiry: str, inputs: str = "", extra: str = "") -> Layout:
    return with_inputs(tmp_path, inputs, "time_zone: Europe/Paris\n" + expiry + extra)


def expires(loaded: Layout, record: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return render(loaded, {"id": "1", **(record or {})}, **kwargs).expiration_date


def test_fixed_moment(tmp_path: Path) -> None:
    loaded = expiring(tmp_path, "expiry:\n  at: 2026-12-31T18:00:00+01:00\n")
    assert expires(loaded) == datetime(2026, 12, 31, 17, tzinfo=UTC)


def test_fixed_date_lasts_through_that_day(tmp_path: Path) -> None:
    loaded = expiring(tmp_path, "expiry: 2026-12-31\n")  # the short form
    assert expires(loaded) == datetime(2027, 1, 1, tzinfo=PARIS)


def test_a_time_without_zone_is_in_the_layout_zone(tmp_path: Path) -> None:
    loaded = expiring(tmp_path, "expiry:\n  at: 2026-07-01T12:00:00\n")
    assert expires(loaded) == datetime(2026, 7, 1, 10, tzinfo=UTC)


def test_templated_moment_and_date(tmp_path: Path) -> None:
    loaded = expiring(
        tmp_path,
        "expiry: '{{ ends }}'\n",
        "  ends: {type: datetime, required: false}\n",
    )
    assert expires(loaded, {"ends": "2026-05-01T08:00:00Z"}) == datetime(2026, 5, 1, 8, tzinfo=UTC)
    assert expires(loaded) is None  # no value: no expiry
    dated = expiring(tmp_path, "expiry:\n  at: '{{ last_day }}'\n", "  last_day: date\n")
    assert expires(dated, {"last_day": "2026-05-01"}) == datetime(2026, 5, 2, tzinfo=PARIS)


def test_after_days_and_hours(tmp_path: Path) -> None:
    loaded = expiring(tmp_path, "expiry:\n  after: {days: 30, hours: 6}\n")
    assert expires(loaded) == NOW + timedelta(days=30, hours=6)
    later = NOW + timedelta(days=3)
    assert expires(loaded, now=later) == later + timedelta(days=30, hours=6)


def test_after_days_from_the_record(tmp_path: Path) -> None:
    loaded = expiring(
        tmp_path, "expiry:\n  after: {days: '{{ validity }}'}\n", "  validity: integer\n"
    )
    assert expires(loaded, {"validity": 7}) == NOW + timedelta(days=7)


def test_round_to_midnight_in_the_zone(tmp_path: Path) -> None:
    loaded = expiring(tmp_path, "expiry:\n  after: {hours: 1}\n  round_to_midnight: true\n")
    # 09:30 UTC + 1 h = 11:30 in Paris: valid until the midnight that ends that day
    assert expires(loaded) == datetime(2026, 3, 2, tzinfo=PARIS)
    late_evening = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)  # 00:30 on 2 March in Paris
    assert expires(loaded, now=late_evening) == datetime(2026, 3, 3, tzinfo=PARIS)


def test_round_to_midnight_across_a_daylight_saving_change(tmp_path: Path) -> None:
    loaded = expiring(tmp_path, "expiry:\n  after: {days: 1}\n  round_to_midnight: true\n")
    # Paris moves to summer time in the night of 28 to 29 March 2026.
    result = expires(loaded, now=datetime(2026, 3, 28, 10, tzinfo=UTC))
    assert result == datetime(2026, 3, 30, tzinfo=PARIS)
    assert result == datetime(2026, 3, 29, 22, tzinfo=UTC)


def test_a_midnight_stays_where_it_is(tmp_path: Path) -> None:
    loaded = expiring(tmp_path, "expiry:\n  at: 2026-06-01T00:00:00\n  round_to_midnight: true\n")
    assert expires(loaded) == datetime(2026, 6, 1, tzinfo=PARIS)


def test_the_expiry_zone_can_differ_from_the_layout(tmp_path: Path) -> None:
    loaded = expiring(
        tmp_path,
        "expiry:\n  after: {hours: 1}\n  round_to_midnight: true\n  time_zone: America/New_York\n",
    )
    assert expires(loaded) == datetime(2026, 3, 2, tzinfo=ZoneInfo("America/New_York"))


def test_templates_can_show_the_expiry(tmp_path: Path) -> None:
    loaded = expiring(
        tmp_path,
        "expiry:\n  after: {days: 10}\n",
        extra="fields:\n  back:\n    - {key: until, value: \"{{ expires_at | date('long') }}\"}\n",
    )
    assert value(render(loaded, {"id": "1"}), "until") == "March 11, 2026"


def test_a_record_that_gives_no_moment_is_a_data_error(tmp_path: Path) -> None:
    loaded = expiring(tmp_path, "expiry: '{{ ends }}'\n", "  ends: string\n")
    with pytest.raises(DataError, match=r"expiry \(.*layout\.yaml:9\): expected an ISO 8601 date"):
        render(loaded, {"id": "1", "ends": "next tuesday"})


@pytest.mark.parametrize(
    ("expiry", "words", "field"),
    [
        ("expiry:\n  round_to_midnight: true\n", "either 'at' or 'after'", "expiry"),
        ("expiry:\n  at: 2026-01-01\n  after: {days: 1}\n", "either 'at' or 'after'", "expiry"),
        ("expiry:\n  after: {}\n", "give days, hours or both", "expiry.after"),
        ("expiry:\n  at: 2026-13-01\n", "ISO 8601", "expiry.at"),
        ("expiry:\n  after: {days: 1}\n  time_zone: Paris\n", "not a known time zone", None),
        ("expiry:\n  after: {days: soon}\n", "whole number", "expiry.after.days"),
    ],
)
def test_bad_expiry_sections(tmp_path: Path, expiry: str, words: str, field: str | None) -> None:
    with pytest.raises(LayoutError, match=words) as caught:
        expiring(tmp_path, expiry)
    assert caught.value.line is not None and caught.value.line >= 8
    if field:
        assert caught.value.field == field


SHOWN = (
    "fields:\n  secondary:\n    - {key: until, label: Valid until, value: '{{ valid_through }}'}\n"
)


@pytest.mark.parametrize(
    ("expiry", "last_day"),
    [
        ("expiry: 2026-12-31\n", date(2026, 12, 31)),  # through that day
        ("expiry:\n  at: 2026-12-31T18:00:00+01:00\n", date(2026, 12, 31)),
        ("expiry:\n  at: 2027-01-01T00:00:00+01:00\n", date(2026, 12, 31)),  # midnight ends a day
        ("expiry:\n  at: 2027-01-01T00:30:00+02:00\n", date(2026, 12, 31)),  # 23:30 in Paris
        ("expiry:\n  after: {days: 30}\n  round_to_midnight: true\n", date(2026, 3, 31)),
    ],
)
def test_valid_through_is_the_last_day_the_pass_works(
    tmp_path: Path, expiry: str, last_day: date
) -> None:
    p = render(expiring(tmp_path, expiry, extra=SHOWN), {"id": "1"})
    field = p.field("until")
    assert field is not None and p.expiration_date is not None
    # Shown as a date: midnight of that day in the layout's zone, the zone kept on every device.
    assert field.value == datetime.combine(last_day, time(0), tzinfo=PARIS)
    assert field.ignores_time_zone and field.time_style is DateStyle.NONE
    assert p.expiration_date > field.value


def test_no_expiry_no_last_day(tmp_path: Path) -> None:
    loaded = expiring(tmp_path, "expiry: '{{ ends }}'\n", "  ends: {type: date, required: false}\n",
                      SHOWN)  # fmt: skip
    assert render(loaded, {"id": "1"}).field("until") is None
