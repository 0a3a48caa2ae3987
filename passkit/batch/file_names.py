"""The file name a pass is written under, made from its serial number."""

from __future__ import annotations

import hashlib
import re

_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def output_stem(serial: str) -> str:
    """A file name for a serial number: itself when safe, else a cleaned form plus a short hash.

    The hash keeps two serials that clean to the same text (``a/b`` and ``a:b``) apart.
    """
    cleaned = _UNSAFE_FILENAME.sub("_", serial).strip(".") or "pass"
    if cleaned == serial:
        return serial
    return f"{cleaned[:80]}-{hashlib.sha256(serial.encode()).hexdigest()[:8]}"
