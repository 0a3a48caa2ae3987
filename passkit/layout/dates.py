"""Dates of a pass: turning what templates give into moments, and the expiry rules.

A pass needs moments with a time zone. A template may give a date-time with a zone (kept), one
without (read in the layout's time zone), a date (midnight at its start in that zone) or ISO 8601
text. An expiry given as a date lasts through that day: it expires at the next midnight.

`expires_at` is the instant a pass stops working; `valid_through` is the last day it works, the
date to show as "valid until": a pass valid through 6 January expires at midnight that starts
7 January.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@functools.lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The time zone called `name` (an IANA name such as Europe/Paris), with a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{name!r} is not a known time zone; use an IANA name such as Europe/Paris or UTC"
        ) from None


def to_datetime(value: Any, zone: ZoneInfo) -> datetime | None:
    """The moment `value` stands for; None stays None. Raises ValueError for anything else."""
    if value is None or isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        return datetime.combine(value, time(0), tzinfo=zone)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            if len(text) == 10:
                return datetime.combine(date.fromisoformat(text), time(0), tzinfo=zone)
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"expected an ISO 8601 date or date-time, got {value!r}") from None
    else:
        raise ValueError(f"expected a date or date-time, got {value!r}")
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def next_midnight(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` if it is midnight in `zone`, else the midnight that ends its day there."""
    local = moment.astimezone(zone)
    if local.time() == time(0):
        return local
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)


def last_valid_day(expires_at: datetime, zone: ZoneInfo) -> date:
    """The last day, in `zone`, on which a pass that stops working at `expires_at` still works:
    the day before when it expires at midnight, else the day it expires."""
    local = expires_at.astimezone(zone)
    if local.time() == time(0):
        return local.date() - timedelta(days=1)
    return local.date()


@dataclass(frozen=True)
class ExpiryRule:
    """A resolved `expiry:` section: a fixed moment, or a delay after the pass is issued."""

    zone: ZoneInfo
    round_to_midnight: bool
    fixed: bool

    def expires_at(
        self, at: Any = None, days: Any = None, hours: Any = None, *, issued_at: datetime
    ) -> datetime | None:
        if self.fixed:
            if isinstance(at, date) and not isinstance(at, datetime):
                # A date means "valid through that day".
                return datetime.combine(at + timedelta(days=1), time(0), tzinfo=self.zone)
            if isinstance(at, str) and len(at.strip()) == 10:
                day = date.fromisoformat(at.strip())
                return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.zone)
            moment = to_datetime(at, self.zone)
        else:
            if days is None and hours is None:
                return None
            moment = issued_at + timedelta(days=_count(days, "days"), hours=_count(hours, "hours"))
        if moment is None:
            return None
        return next_midnight(moment, self.zone) if self.round_to_midnight else moment


def _count(value: Any, name: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        raise ValueError(f"expiry.after.{name}: expected a whole number, got {value!r}")
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(f"expiry.after.{name}: expected a whole number, got {value!r}") from None
