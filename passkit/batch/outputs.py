"""Where batch results go: a zip archive of passes, and the failures file.

Both are written to a temporary file and renamed when the batch ends (normally or on Ctrl-C),
so a reader never finds half of one.

The archive is streamed: each pass goes onto the file as it comes, its zip header and bytes in
one `writev`, with the CRC-32 its worker computed (`BuildResult.pkpass_crc`: the part every
pass of a layout shares is summed once), so nothing is copied or read again here: zipfile's
`writestr` spent two thirds of its time computing the CRC and copying (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO

from passkit.apple.zipwriter import ZipStream
from passkit.batch.file_names import output_stem
from passkit.batch.result import BuildResult
from passkit.files import FILE_MODE, open_partial, write_all


class _RenamedOnClose:
    """A file written under a temporary name and moved into place by `close()`."""

    def __init__(self, path: Path, *, buffered: bool = True) -> None:
        self.path = path
        # Named with the process id: a run killed mid-way leaves it to the next one to remove.
        fd, temporary = open_partial(str(path.parent), path.name)
        os.fchmod(fd, FILE_MODE)  # whatever the umask took away
        self._temporary = Path(temporary)
        self._handle: IO[bytes] = os.fdopen(fd, "wb", buffering=-1 if buffered else 0)

    def _commit(self) -> None:
        self._handle.close()
        os.replace(self._temporary, self.path)

    def _discard(self) -> None:
        self._handle.close()
        with contextlib.suppress(FileNotFoundError):
            self._temporary.unlink()


class ZipOutput(_RenamedOnClose):
    """Passes and save links collected into one .zip, named by serial number.

    Members are stored (a pass is a zip of PNG images already), with the fixed time and mode
    of `passkit.apple.zipwriter`: the same passes give the same archive.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, buffered=False)
        self._zip = ZipStream(self._write_parts)
        self.count = 0

    def _write_parts(self, parts: Sequence[bytes]) -> None:
        write_all(self._handle.fileno(), parts)

    def add(self, result: BuildResult) -> None:
        if result.serial is None:
            return
        stem = output_stem(result.serial)
        if result.pkpass is not None:
            self._zip.add(f"{stem}.pkpass", result.pkpass, result.pkpass_crc)
        if result.save_link is not None:
            self._zip.add(f"{stem}.google.txt", f"{result.save_link}\n".encode())
        self.count += 1

    def close(self) -> None:
        """Finish the archive with what it holds (even after Ctrl-C) and move it into place."""
        self._zip.close()
        self._commit()

    def discard(self) -> None:
        self._discard()


class FailuresFile(_RenamedOnClose):
    """One JSON line per failed record: which record, its line number, and why."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.count = 0

    def add(self, result: BuildResult) -> None:
        entry = {"record": result.record, "line": result.line, "error": result.error}
        if result.rule is not None:
            entry["rule"] = result.rule
        self._handle.write(json.dumps(entry, ensure_ascii=False).encode() + b"\n")
        self.count += 1

    def close(self) -> None:
        """Keep the file when something failed; otherwise leave no file behind."""
        if self.count:
            self._commit()
        else:
            self._discard()

    def __enter__(self) -> FailuresFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
