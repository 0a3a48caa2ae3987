"""Progress of a batch: a bar with rate and time left on a terminal, plain lines elsewhere."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from passkit.batch.result import BuildResult
from passkit.errors import PasskitError
from passkit.files import STREAMED_RECORDS_LIMIT, open_limited

if TYPE_CHECKING:
    from tqdm import tqdm


def estimate_record_count(path: Path) -> int | None:
    """Roughly how many records a file holds, from its line count, for the time-left estimate."""
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".ndjson", ".csv"):
        return None
    try:
        # Checked like the records themselves: a pipe or /dev/zero would never end.
        with open_limited(path, STREAMED_RECORDS_LIMIT, "record file") as handle:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    except (OSError, PasskitError):
        return None  # reading the records says what is wrong
    return max(0, lines - 1) if suffix == ".csv" else lines


@dataclass
class Tally:
    built: int = 0
    skipped: int = 0
    failed: int = 0
    started: float = field(default_factory=time.perf_counter)

    def add(self, result: BuildResult) -> None:
        if not result.ok:
            self.failed += 1
        elif result.skipped:
            self.skipped += 1
        else:
            self.built += 1

    @property
    def done(self) -> int:
        return self.built + self.skipped + self.failed

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def summary(self, verb: str = "built") -> str:
        """One line: how many passes were `verb` (built, issued), skipped and failed."""
        rate = self.built / self.elapsed if self.elapsed > 0 else 0.0
        parts = [f"{verb} {self.built}"]
        if self.skipped:
            parts.append(f"skipped {self.skipped} already {verb}")
        parts.append(f"failed {self.failed}")
        timing = f"in {self.elapsed:.1f} s"
        if self.built > 1:  # a rate means nothing for a single pass
            timing += f" ({rate:,.0f} passes/s)"
        parts.append(timing)
        return ", ".join(parts)


def _bar_class() -> type[tqdm[Any]]:
    from tqdm import tqdm

    class Bar(tqdm):  # type: ignore[type-arg]
        # No monitor thread: worker processes are forked from this one, and a fork is safest
        # from a process with a single thread.
        monitor_interval = 0

    return Bar


class Progress:
    """Shows how far a batch has gone; call `update` per result and `close` at the end."""

    def __init__(
        self, total: int | None, *, stream: TextIO | None = None, interval: float = 2.0
    ) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.tally = Tally()
        self.interval = interval
        self._last_line = self.tally.started
        self._bar = None
        if self.stream.isatty():
            self._bar = _bar_class()(total=total, unit="pass", file=self.stream, dynamic_ncols=True)

    def update(self, result: BuildResult) -> None:
        self.tally.add(result)
        if self._bar is not None:
            self._bar.update(1)
            return
        now = time.perf_counter()
        if now - self._last_line >= self.interval:
            self._last_line = now
            print(self._plain_line(), file=self.stream, flush=True)

    def _plain_line(self) -> str:
        done, elapsed = self.tally.done, self.tally.elapsed
        rate = done / elapsed if elapsed > 0 else 0.0
        line = f"{done}" + (f" of about {self.total}" if self.total else "") + " records"
        line += f", {rate:,.0f}/s"
        if self.total and rate > 0 and self.total > done:
            line += f", about {(self.total - done) / rate:,.0f} s left"
        return line

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
