"""Pushes sent from the process that made the change: a thread that drains the outbox.

`wake()` returns at once; the thread drains everything due (Apple pushes, then Google
changes), then sleeps until woken again or until the earliest row waiting out a back-off is
due. A crash or a stop leaves rows in the outbox, where the next drain (here after a restart,
or `passkit service push`) finds them. `ApnsRefusedError` (or missing credentials) stops the
Apple pushes of this process: the error is logged once and kept in `error`, and the rows wait
for a sender whose settings are fixed. Google failures are kept in their rows and retried;
neither side ever holds the other up.
"""

from __future__ import annotations

import logging
import threading

from passkit.errors import PasskitError
from passkit.service.google_sender import GOOGLE, GoogleSender
from passkit.service.sender import APPLE, DrainReport, Sender

log = logging.getLogger("passkit.sender")

# Rows in back-off are looked at again after this long at most, even when none is due sooner
# (another process may have added some).
_IDLE_WAIT = 60.0


class BackgroundSender:
    """Drains the outbox on a daemon thread whenever woken (see the module)."""

    def __init__(self, apple: Sender | None, google: GoogleSender | None = None) -> None:
        self.apple = apple
        self.google = google
        self.error: PasskitError | None = None
        self.report = DrainReport()
        self.google_report = DrainReport()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._busy = False
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def wake(self) -> None:
        """Drain soon, on the thread (started on first use)."""
        if self._stop.is_set():
            return
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="passkit-sender", daemon=True
                )
                self._thread.start()
        with self._idle:
            self._busy = True
        self._wake.set()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every wake-up so far was drained; False on time-out."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._busy, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after the drain under way (rows left stay in the outbox)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self.apple is not None:
            self.apple.close()
        if self.google is not None:
            self.google.close()

    def _run(self) -> None:
        wait: float | None = None
        while not self._stop.is_set():
            self._wake.wait(wait)
            self._wake.clear()
            if self._stop.is_set():
                break
            waits = [self._drain_apple(), self._drain_google()]
            due = min((w for w in waits if w is not None), default=None)
            wait = _IDLE_WAIT if due is None else min(max(due, 0.05), _IDLE_WAIT)
            with self._idle:
                if not self._wake.is_set():
                    self._busy = False
                    self._idle.notify_all()
        with self._idle:
            self._busy = False
            self._idle.notify_all()

    def _drain_apple(self) -> float | None:
        """Push what is due; seconds until the next Apple row is due (None: none waits)."""
        if self.apple is None or self.error is not None:
            return None
        try:
            self.report.add(self.apple.drain())
            return self.apple.outbox.next_due(APPLE)
        except PasskitError as error:
            self.error = error
            log.error("passkit stopped sending pushes from this process: %s", error)
        except Exception:
            log.exception("the outbox could not be drained; trying again later")
            return _IDLE_WAIT
        return None

    def _drain_google(self) -> float | None:
        if self.google is None:
            return None
        try:
            self.google_report.add(self.google.drain())
            return self.google.outbox.next_due(GOOGLE)
        except Exception:
            log.exception("the outbox's Google changes could not be applied; trying again later")
            return _IDLE_WAIT
