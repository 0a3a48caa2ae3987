"""Every setting of the garbage collector that passkit makes, and why: passkit's own process
freezes what importing a command made and what is alive at its end, and a process that, from
some point on, only builds passes sets the collector for that.

By the time the first pass is made, what every pass shares (modules, the loaded layout, its
images, the keys) is ready and lives until the end. Yet each full collection walked all of
it again, and the young generation, collected every 700 new objects, was collected every
few passes. For the rest of the batch, `settle` takes what is alive out of the collector's
sight (`gc.freeze`) and lets the young generation grow to 20,000 objects before a collection.
Measured on 10,000 loyalty passes: 0.31 s of collections fall to 0.04 s (2-3% of a batch's
CPU). Passes make no reference cycles to speak of, so memory stays as flat as before.

A worker process settles for good; a command run inside another program's process (as the
tests run `passkit build`) gives the collector back as it found it with `restore`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

YOUNG_GENERATION_OBJECTS = 20_000


# How many objects the passkit program froze itself (`freeze_for_good`): a freeze up to this
# count is passkit's own, not another program's.
_frozen_by_passkit = 0


def freeze_for_good() -> None:
    """Take what is alive out of the collector's sight for the rest of the process.

    For the passkit program, whose process is its own, once a command is imported: what the
    import made (some 30,000 objects: modules, classes, pydantic's schemas) lives as long as
    the process, and the collections during and after the import walked it again. With the
    import made under a paused collector and then frozen, a one-pass build spends half the
    time in collections (docs/performance.md). Never for a program that merely calls passkit.
    """
    global _frozen_by_passkit
    gc.freeze()
    _frozen_by_passkit = gc.get_freeze_count()


@contextlib.contextmanager
def made_for_good() -> Iterator[None]:
    """What is made inside is never garbage: the collector is paused while it is made, and it
    is frozen after (`freeze_for_good`). For the passkit program importing a command."""
    gc.disable()
    try:
        yield
    finally:
        freeze_for_good()
        gc.enable()


def freeze_before_exit() -> None:
    """For the passkit program as it ends: what is alive now lives until the process ends.

    Left in the collector's sight, it is walked by the interpreter's last collections as it
    shuts down: a sixth of a one-pass build (docs/performance.md). Frozen, it is not; the
    memory goes back to the system either way, and what `atexit` must do is still done.
    """
    gc.freeze()


class BatchCollector:
    def __init__(self) -> None:
        self._saved_threshold: tuple[int, int, int] | None = None
        self._unfreeze = False

    def settle(self) -> None:
        """Set the collector for building passes; once, and not over another program's freeze."""
        frozen = gc.get_freeze_count()
        if self._saved_threshold is not None or frozen > _frozen_by_passkit:
            return
        self._saved_threshold = gc.get_threshold()
        # Over passkit's own freeze, what is frozen stays so: the process ends with the batch.
        self._unfreeze = not frozen
        gc.freeze()
        _, older, oldest = self._saved_threshold
        gc.set_threshold(YOUNG_GENERATION_OBJECTS, older, oldest)

    def restore(self) -> None:
        """Give the collector back as `settle` found it."""
        if self._saved_threshold is None:
            return
        gc.set_threshold(*self._saved_threshold)
        if self._unfreeze:
            gc.unfreeze()
        self._saved_threshold = None
