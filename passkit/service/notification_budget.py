"""How many notifying Google messages a pass may still get today.

Google shows a notification for a message of type ``TEXT_AND_NOTIFY`` at most three times per
pass in 24 hours and refuses the fourth (``quotaExceeded``). The sync asks a
`NotificationBudget` before it sends one, so that a fourth change message of the day goes as a
plain ``TEXT`` message, said so, instead of failing. The budget is kept by the caller's store:
`MemoryNotificationBudget` for one process and tests, the registry's database for a service.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Protocol

DAILY_NOTIFICATIONS = 3
WINDOW = timedelta(hours=24)


class NotificationBudget(Protocol):
    """Counts the notifying messages sent to each Google object."""

    def take(self, object_id: str, now: datetime) -> bool:
        """Use one notification of `object_id` at `now`: True when fewer than three were
        used in the 24 hours before `now` (and this one is now counted), False otherwise.
        Atomic: two senders never both get the third."""
        ...


class MemoryNotificationBudget:
    """A `NotificationBudget` in this process's memory, over a sliding 24-hour window."""

    def __init__(self, per_window: int = DAILY_NOTIFICATIONS, window: timedelta = WINDOW) -> None:
        self.per_window = per_window
        self.window = window
        self._used: dict[str, list[datetime]] = {}
        self._lock = threading.Lock()

    def take(self, object_id: str, now: datetime) -> bool:
        with self._lock:
            recent = [t for t in self._used.get(object_id, []) if now - t < self.window]
            if len(recent) >= self.per_window:
                self._used[object_id] = recent
                return False
            self._used[object_id] = [*recent, now]
            return True

    def used(self, object_id: str, now: datetime) -> int:
        """Notifications of `object_id` counted in the window before `now`."""
        with self._lock:
            return sum(1 for t in self._used.get(object_id, []) if now - t < self.window)
