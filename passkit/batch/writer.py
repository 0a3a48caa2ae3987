"""Writing a batch's passes into a directory, and cleaning up after killed batches.

Every file goes through `passkit.files.write_atomically`: written under a temporary name beside
its final one (".<file>.<pid>.part", a fixed name per process) and renamed into place, so that a
reader (or an interrupted batch) never finds half of a file; the pieces of a bundle go out in
one `writev` instead of being joined first (docs/performance.md).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from passkit.files import FILE_MODE, write_atomically

# The temporary names a batch writes under (`passkit.files.open_partial`): ".<file>.<pid>.part",
# or ".<file>.<pid>-<random>.part"; <file> is a pass, a save link, the failures file or a zip
# of passes. The pid tells a file of a process that is gone (killed mid-batch) from one being
# written now.
_PARTIAL = re.compile(r"\.(?:.+\.(?:pkpass|google\.txt|jsonl|zip))\.(?P<pid>\d+)(?:-\w+)?\.part")
# The claims folder of a batch (passkit.batch.claims): ".passkit-batch-<pid>-<token>".
_CLAIMS = re.compile(r"\.passkit-batch-(?P<pid>\d+)-[0-9a-f]+")


class OutputDirectory:
    """A directory that batch results are written into, made when the first file is."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._directory = str(path)
        # Each process's writing thread (`write_later`): threads do not survive a fork.
        self._thread_of: dict[int, ThreadPoolExecutor] = {}

    def write_later(self, name: str, parts: Sequence[bytes]) -> Future[str]:
        """`write` on this process's writing thread: the caller goes on computing while the
        file waits on the disk (docs/performance.md; the system calls release the GIL). One thread,
        so files are written in the order given and `write` needs no lock."""
        thread = self._thread_of.get(os.getpid())
        if thread is None:
            thread = ThreadPoolExecutor(1, thread_name_prefix="passkit-write")
            self._thread_of[os.getpid()] = thread
        return thread.submit(self.write, name, parts)

    def write(self, name: str, parts: Sequence[bytes]) -> str:
        """Write the concatenation of `parts` as `name`, atomically; returns its path (text:
        see `write_atomically`)."""
        return write_atomically(self._directory, name, parts, mode=FILE_MODE)


def remove_stale(directory: Path) -> list[str]:
    """Remove what killed batches left in `directory`: this writer's temporary files and the
    claims folders of processes that no longer run. Nothing else is touched; returns the names
    removed."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for entry in entries:
        if not entry.name.startswith("."):
            continue
        partial = _PARTIAL.fullmatch(entry.name)
        match = partial or _CLAIMS.fullmatch(entry.name)
        if match is None or _running(int(match.group("pid"))):
            continue
        if partial is not None and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
            removed.append(entry.name)
        elif partial is None and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.name)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    with contextlib.suppress(OSError):
        # A process killed while its parent was killed too can linger as a zombie until it
        # is reaped: it writes nothing any more.
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        if state in ("Z", "X"):
            return False
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    except OverflowError:
        return False  # no process has such an id
    return True
