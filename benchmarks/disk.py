"""The disk's own limit for a batch: plain writes of files of a bundle's size, then rename.

    python benchmarks/disk.py DIRECTORY SIZE COUNT [--fsync] [--steps]

Writes COUNT files of SIZE bytes into DIRECTORY as `passkit build` writes its bundles (a
temporary name made with O_EXCL, one write, close, rename into place) and prints, as JSON, the
files per second, the bytes per second and the processor time per file. Nothing of passkit
runs: this is what the disk and the kernel allow, the ceiling of any batch onto that directory.
Each file's bytes differ (as bundles do), so no layer can take a shortcut on equal content.

--steps also times each system call apart (open, write, close, rename), to see where the time
of a file goes; --fsync adds an fsync before the rename, which passkit does not do (see
benchmarks/results.md) and which shows what durability per file would cost.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC


def write_files(
    directory: Path,
    size: int,
    count: int,
    *,
    fsync: bool = False,
    steps: bool = False,
    unnamed: bool = False,
    tag: str = "",
) -> dict[str, float]:
    directory.mkdir(parents=True, exist_ok=True)
    payload = bytearray(os.urandom(size))
    # With --unnamed, "rename" is the close after the link and "close" the link itself.
    spent = dict.fromkeys(("open", "write", "fsync", "close", "rename"), 0.0)
    clock = time.perf_counter
    prefix = f"{directory}{os.sep}"
    # Linking /proc/self/fd/N follows the link only through linkat, which os.link uses when
    # given a directory descriptor.
    folder = os.open(directory, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    begin, begin_cpu = clock(), time.process_time()
    for index in range(count):
        payload[:8] = index.to_bytes(8, "little")  # every file's bytes differ
        final = f"{prefix}{tag}{index:08d}.pkpass"
        temporary = f"{prefix}.{tag}{index:08d}.pkpass.{os.getpid()}.part"
        t0 = clock()
        if unnamed:
            fd = os.open(directory, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o644)
        else:
            fd = os.open(temporary, _CREATE, 0o644)
        t1 = clock()
        os.write(fd, payload)
        t2 = clock()
        if fsync:
            os.fsync(fd)
        t3 = clock()
        if unnamed:
            # The file gets its name whole: there never was a half-written file to see.
            os.link(f"/proc/self/fd/{fd}", final.removeprefix(prefix), dst_dir_fd=folder)
            t4 = clock()
            os.close(fd)
        else:
            os.close(fd)
            t4 = clock()
            os.replace(temporary, final)
        if steps:
            t5 = clock()
            spent["open"] += t1 - t0
            spent["write"] += t2 - t1
            spent["fsync"] += t3 - t2
            spent["close"] += t4 - t3
            spent["rename"] += t5 - t4
    seconds, cpu_seconds = clock() - begin, time.process_time() - begin_cpu
    os.close(folder)
    result = {"files_per_s": count / seconds, "bytes_per_s": count * size / seconds}
    # The processor time the writing process spent (in the kernel, mostly: copying into the page
    # cache, allocating blocks): on a machine whose cores also sign, it is taken from signing.
    result["cpu_us_per_file"] = cpu_seconds / count * 1e6
    if steps:
        result.update({f"{name}_us": value / count * 1e6 for name, value in spent.items()})
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("size", type=int, help="bytes per file")
    parser.add_argument("count", type=int, help="files to write")
    parser.add_argument("--fsync", action="store_true", help="fsync each file before renaming")
    parser.add_argument("--steps", action="store_true", help="time each system call apart")
    parser.add_argument(
        "--unnamed",
        action="store_true",
        help="write each file unnamed (O_TMPFILE) and link it into place, instead of renaming",
    )
    parser.add_argument("--tag", default="", help="start of the file names (one per process)")
    args = parser.parse_args()
    result = write_files(
        args.directory,
        args.size,
        args.count,
        fsync=args.fsync,
        steps=args.steps,
        unnamed=args.unnamed,
        tag=args.tag,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
