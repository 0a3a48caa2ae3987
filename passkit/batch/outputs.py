"""Where batch results go: a zip archive of passes, and the failures file.

Both are written to a temporary file and renamed when the batch ends (normally or on Ctrl-C),
so a reader never finds half of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from types import TracebackType
from typing import IO

from passkit.batch.builder import BuildResult, output_stem
from passkit.batch.writer import FILE_MODE

# Fixed entry time: the same passes give the same archive.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class _RenamedOnClose:
    """A file written under a temporary name and moved into place by `close()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        # mkstemp makes the file readable by its owner only: give it the bundles' mode.
        os.fchmod(fd, FILE_MODE)
        self._temporary = Path(temporary)
        self._handle: IO[bytes] = os.fdopen(fd, "wb")

    def _commit(self) -> None:
        self._handle.close()
        os.replace(self._temporary, self.path)

    def _discard(self) -> None:
        self._handle.close()
        with contextlib.suppress(FileNotFoundError):
            self._temporary.unlink()


class ZipOutput(_RenamedOnClose):
    """Passes and save links collected into one .zip, named by serial number."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._zip = zipfile.ZipFile(self._handle, "w", compression=zipfile.ZIP_STORED)
        self.count = 0

    def add(self, result: BuildResult) -> None:
        if result.serial is None:
            return
        stem = output_stem(result.serial)
        if result.pkpass is not None:
            self._write(f"{stem}.pkpass", result.pkpass)
        if result.save_link is not None:
            self._write(f"{stem}.google.txt", f"{result.save_link}\n".encode())
        self.count += 1

    def _write(self, name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
        info.external_attr = FILE_MODE << 16
        self._zip.writestr(info, data)

    def close(self) -> None:
        """Finish the archive with what it holds (even after Ctrl-C) and move it into place."""
        self._zip.close()
        self._commit()

    def discard(self) -> None:
        self._zip.close()
        self._discard()


class FailuresFile(_RenamedOnClose):
    """One JSON line per failed record: which record, its line number, and why."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.count = 0

    def add(self, result: BuildResult) -> None:
        entry = {"record": result.record, "line": result.line, "error": result.error}
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
