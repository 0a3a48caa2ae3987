"""Reading and writing files safely.

Reading: every file passkit reads (layouts, records, images, keys, certificates, service
accounts) goes through `open_limited` or `read_limited`, which refuse anything that is not a
regular file (a device such as /dev/zero, a pipe, a socket) and anything larger than the limit
for its kind, before a byte is read: such a path would otherwise hang or fill the memory.

Writing: `write_atomically` (and `atomic_write`, for one piece and a Path) is passkit's one
file writer: a temporary file beside the final one, renamed into place when whole, so that a
reader (or an interrupted run) never finds half of a file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from passkit.errors import PasskitError

MIB = 1024 * 1024
# Generous for what each file holds; far below what would exhaust a machine.
LAYOUT_LIMIT = 4 * MIB
CREDENTIAL_LIMIT = 1 * MIB  # keys, certificates, PKCS#12, WWDR, service-account JSON
IMAGE_LIMIT = 32 * MIB
RECORDS_LIMIT = 256 * MIB  # a .json record file, read whole
STREAMED_RECORDS_LIMIT = 64 * 1024 * MIB  # .jsonl and .csv, read a line at a time
RECORD_LINE_LIMIT = 4 * MIB  # one line of a streamed record file


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB and limit % MIB == 0 else f"{limit} bytes"


def open_limited(
    path: str | Path, limit: int, what: str, error: type[PasskitError] = PasskitError
) -> BinaryIO:
    """`path` opened for reading in binary, once checked to be a regular file of at most
    `limit` bytes; otherwise `error` naming the file, what it was meant to be and the limit.

    The file is opened without blocking, so that a pipe with no writer is refused instead of
    waiting forever; OSError (not found, permission, a directory) is left to the caller.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(info.st_mode):
            raise error(
                f"{path}: the {what} is not a regular file (a device, a pipe or a socket);"
                " give the path of a file"
            )
        if info.st_size > limit:
            raise error(
                f"{path}: the {what} is {info.st_size} bytes, over the limit of {_size(limit)}"
                f" for a {what}; give the right file"
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(
    path: str | Path, limit: int, what: str, error: type[PasskitError] = PasskitError
) -> bytes:
    """The bytes of `path`, checked as `open_limited` checks it (and still within the limit
    when read: the file may grow after the check)."""
    with open_limited(path, limit, what, error) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise error(f"{path}: the {what} is over the limit of {_size(limit)} for a {what}")
    return data


# Written files get this mode whatever the umask: what a pass, a link or an image wants.
FILE_MODE = 0o644
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
# writev takes at most IOV_MAX pieces (1024 on Linux); a bundle has about 40.
_MOST_PIECES = 1024


def atomic_write(path: str | Path, data: bytes, *, mode: int = FILE_MODE) -> Path:
    """Write `data` to `path` atomically; on any failure, nothing is left at `path` or beside it."""
    path = Path(path)
    write_atomically(str(path.parent), path.name, (data,), mode=mode)
    return path


def write_atomically(
    directory: str, name: str, parts: Sequence[bytes], *, mode: int = FILE_MODE
) -> str:
    """Write the concatenation of `parts` as `name` in `directory` (made when missing), whole
    or not at all, with `mode`; returns its path.

    Returns text, not a pathlib.Path: a batch writes thousands of files, and making a Path
    costs about as much as the rest of this call but the write (docs/performance.md).
    """
    fd, temporary = open_partial(directory, name, mode)
    try:
        try:
            os.fchmod(fd, mode)  # whatever the umask took away from os.open's mode
            write_all(fd, parts)
        finally:
            os.close(fd)
        final = f"{directory}{os.sep}{name}"
        os.replace(temporary, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return final


def open_partial(directory: str, name: str, mode: int = FILE_MODE) -> tuple[int, str]:
    """A new temporary file beside `name` in `directory` (made when missing), open for writing:
    its descriptor and path, to be renamed onto `name` when whole.

    Named ".<name>.<pid>.part", or ".<name>.<pid>-<random>.part" (`partial_prefix`) when that
    is taken (another thread writes the same name, or a killed process left it): the process id
    lets `passkit.batch.writer.remove_stale` tell a file whose writer is gone from one being
    written now. A fixed name is one system call cheaper than a random one.
    """
    temporary = f"{directory}{os.sep}.{name}.{os.getpid()}.part"
    try:
        return os.open(temporary, _CREATE, mode), temporary
    except FileNotFoundError:
        os.makedirs(directory, exist_ok=True)
        return os.open(temporary, _CREATE, mode), temporary
    except FileExistsError:
        import tempfile  # here: reading layouts, which every start does, need not pay its import

        return tempfile.mkstemp(prefix=partial_prefix(name), suffix=".part", dir=directory)


def partial_prefix(name: str) -> str:
    """The start of a temporary name for `name` (tempfile adds a random part and ".part")."""
    return f".{name}.{os.getpid()}-"


def write_all(fd: int, parts: Sequence[bytes]) -> None:
    """Write `parts` one after the other onto `fd`, in one `writev` when the file takes it."""
    written = os.writev(fd, parts) if len(parts) <= _MOST_PIECES else 0
    if written == sum(map(len, parts)):
        return
    # A regular file takes everything at once unless the disk fills or a signal comes.
    rest = memoryview(b"".join(parts))[written:]
    while rest:
        rest = rest[os.write(fd, rest) :]
