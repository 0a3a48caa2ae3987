"""Ctrl-C during a batch: held back while a pass's files are written and counted, so that
every file on disk is in the summary and none is left half-written."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from types import FrameType


@dataclass
class Interrupt:
    """Whether Ctrl-C came while `interrupts_deferred` held it back."""

    came: bool = False


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[Interrupt]:
    """Hold Ctrl-C back, and say whether it came (`Interrupt.came`), for the caller to stop
    at a point of its choosing.

    A KeyboardInterrupt can land between any two steps: after a file is renamed into place
    but before the batch hears of it, after its temporary file is made but before anything
    would remove it, or after a result is handed over but before it is counted. Held back, it
    leaves every pass written and counted, or not begun. Only where Ctrl-C means
    KeyboardInterrupt (Python's default, in the main thread): worker processes ignore it,
    other threads cannot set handlers, and an enclosing `interrupts_deferred` holds it
    already.
    """
    interrupt = Interrupt()
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield interrupt
        return

    def note(signum: int, frame: FrameType | None) -> None:
        interrupt.came = True

    signal.signal(signal.SIGINT, note)
    try:
        yield interrupt
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
