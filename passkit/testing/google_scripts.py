"""The answers a test scripts for the Google stand-in: failures and delays for the next
requests, for requests about one class or object, or for the token endpoint, each used up after
the number of times it was given.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from passkit.testing.google_api import Answer, Json, error


@dataclass
class Script:
    """An answer to give instead of the real one, `times` times (None: until cleared)."""

    answer: Answer
    times: int | None
    delay: float = 0.0
    path: str = ""  # only requests whose path contains it


def scripted(status: int, body: Json | str | None) -> Answer:
    """`body` with `status`, or Google's error body for that status."""
    if body is not None:
        return status, body
    reason = "rateLimitExceeded" if status == 429 else "backendError" if status >= 500 else None
    return error(status, f"Scripted failure (HTTP {status})", reason)


@dataclass
class Scripts:
    """The scripted answers of one stand-in."""

    following: list[Script] = field(default_factory=list)  # the next requests'
    by_id: dict[str, Script] = field(default_factory=dict)  # by a part of a resource id
    token: Script | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def clear(self) -> None:
        self.following.clear()
        self.by_id.clear()
        self.token = None

    def for_request(self, path: str, resource_id: str | None) -> Script | None:
        """The scripted answer for this request, if any (used up after its `times`)."""
        with self._lock:
            script = next((s for s in self.following if s.path in path), None)
            if script is None:
                about = resource_id or ""
                key = next((part for part in self.by_id if part and part in about), None)
                script = None if key is None else self.by_id[key]
            if script is None or script.times is None:
                return script
            script.times -= 1
            if script.times <= 0:
                self.following = [s for s in self.following if s is not script]
                self.by_id = {k: v for k, v in self.by_id.items() if v is not script}
            return script
