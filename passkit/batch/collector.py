"""The garbage collector set for a process that, from some point on, only builds passes.

By the time the first pass is made, what every pass shares (modules, the loaded layout, its
pictures, the keys) is ready and lives until the end. Yet each full collection walked all of
it again, and the young generation, collected every 700 new objects, was collected every
few passes. For the rest of the batch, `settle` takes what is alive out of the collector's
sight (`gc.freeze`) and lets the young generation grow to 20,000 objects before a collection.
Measured on 10,000 loyalty passes: 0.31 s of collections fall to 0.04 s (2-3% of a batch's
CPU). Passes make no reference cycles to speak of, so memory stays as flat as before.

A worker process settles for good; a command run inside another program's process (as the
tests run `passkit build`) gives the collector back as it found it with `restore`.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_OBJECTS = 20_000


class BatchCollector:
    def __init__(self) -> None:
        self._saved_threshold: tuple[int, int, int] | None = None

    def settle(self) -> None:
        """Set the collector for building passes; once, and not over another program's freeze."""
        if self._saved_threshold is not None or gc.get_freeze_count():
            return
        self._saved_threshold = gc.get_threshold()
        gc.freeze()
        _, older, oldest = self._saved_threshold
        gc.set_threshold(YOUNG_GENERATION_OBJECTS, older, oldest)

    def restore(self) -> None:
        """Give the collector back as `settle` found it."""
        if self._saved_threshold is None:
            return
        gc.set_threshold(*self._saved_threshold)
        gc.unfreeze()
        self._saved_threshold = None
