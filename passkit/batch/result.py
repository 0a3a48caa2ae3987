"""What became of each record of a batch (`BuildResult`), and the results of a chunk of records
that Ctrl-C cut short (`ChunkInterrupted`)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What became of one record: the pass built (bytes or files written), skipped, or why not."""

    record: str
    line: int
    serial: str | None = None
    pkpass: bytes | None = None
    save_link: str | None = None
    skinny_link: bool = False
    # The Google class the save link names (held by Google for the link to work).
    google_class: str | None = None
    # The files written, as text; `files` gives them as paths.
    written: tuple[str, ...] = ()
    skipped: bool = False
    error: str | None = None
    # The Apple rule (`passkit.apple_rules`) behind `error`, when one is.
    rule: str | None = None
    # The CRC-32 of `pkpass`, for an archive of passes (`passkit build --zip`).
    pkpass_crc: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(map(Path, self.written))

    def __reduce__(self) -> tuple[type[BuildResult], tuple[Any, ...]]:
        # Results cross from worker processes by the thousand: as the arguments of a call,
        # they unpickle in a third of the time of a dataclass's own state (measured).
        return BuildResult, tuple(getattr(self, field.name) for field in fields(self))


class ChunkInterrupted(KeyboardInterrupt):
    """Ctrl-C while a chunk's files were being written: `results` are the chunk's records,
    whose files were all written before it took effect, so that the batch can count them."""

    def __init__(self, results: list[BuildResult]) -> None:
        super().__init__()
        self.results = results
