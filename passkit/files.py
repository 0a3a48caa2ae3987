"""Reading and writing files safely.

Reading: every file passkit reads (layouts, records, pictures, keys, certificates, service
accounts) goes through `open_limited` or `read_limited`, which refuse anything that is not a
regular file (a device such as /dev/zero, a pipe, a socket) and anything larger than the limit
for its kind, before a byte is read: such a path would otherwise hang or fill the memory.

Writing: temporary file, then rename, so that a reader never sees half of one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from passkit.errors import PasskitError

MIB = 1024 * 1024
# Generous for what each file holds; far below what would exhaust a machine.
LAYOUT_LIMIT = 4 * MIB
CREDENTIAL_LIMIT = 1 * MIB  # keys, certificates, PKCS#12, WWDR, service-account JSON
PICTURE_LIMIT = 32 * MIB
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


def atomic_write(path: str | Path, data: bytes, *, mode: int = 0o644) -> Path:
    """Write `data` to `path` atomically; on any failure, nothing is left at `path` or beside it."""
    import tempfile  # here: reading layouts, which every start does, need not pay its import

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return path
