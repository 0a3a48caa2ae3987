"""Serial numbers claimed in one batch: a second record with the same serial is a failure.

Two records of a batch that render to the same serial number would write the same file, the
second silently replacing the first. Before building a pass, its file name is claimed: the
claim is a symbolic link in a hidden folder of the output directory, named after the file and
pointing at the record that claimed it. Creating a link is atomic and fails when the name is
taken, so claims work across worker processes with no messages between them, and the losing
record's failure names both records. Files of earlier runs are not claims: they are replaced
(or skipped, with --skip-existing) as before.

The folder, ``.passkit-batch-<pid>-<token>``, is removed when the batch ends; the folder of a
batch whose process was killed is removed by the next run in the same directory (see
`writer.remove_stale`).
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

CLAIMS_PREFIX = ".passkit-batch-"


def new_batch_id() -> str:
    """An id for one batch: the id of the process running it (to tell stale folders) and a
    random token (to tell two batches of one process apart)."""
    return f"{os.getpid()}-{secrets.token_hex(4)}"


def repeated_serial(serial: str, first: str) -> str:
    """The failure of a record whose serial number `first` (a record's name) has already."""
    return (
        f"serial number {serial!r} is already the serial of {first} in this batch; each pass"
        " needs its own serial number (this record was not built)"
    )


class SerialClaims:
    """The claims of one batch in `out_dir`, shared by every process building the batch."""

    def __init__(self, out_dir: Path, batch_id: str) -> None:
        self.folder = out_dir / f"{CLAIMS_PREFIX}{batch_id}"
        self._made = False

    def claim(self, stem: str, who: str) -> str | None:
        """Claim `stem` for the record `who`; None when granted, else the record that has it."""
        link = os.path.join(self.folder, stem)
        try:
            os.symlink(who, link)
            return None
        except FileNotFoundError:
            if self._made:
                raise
            self.folder.mkdir(parents=True, exist_ok=True)
            self._made = True
            return self.claim(stem, who)
        except FileExistsError:
            return os.readlink(link)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
