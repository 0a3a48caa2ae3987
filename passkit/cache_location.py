"""Where passkit keeps what it stores from one process to the next (prepared images, images
known to decode), and the setting that moves or turns off that store.

The directory in PASSKIT_CACHE_DIR, else $XDG_CACHE_HOME/passkit, else ~/.cache/passkit
(%LOCALAPPDATA%\\passkit on Windows). PASSKIT_CACHE_DIR=off turns every store off. What is kept
there is a cache, never a source of truth: deleting the folder is always safe.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from passkit.environment import ENV_CACHE_DIR

OFF_VALUES = frozenset({"off", "0", "no", "false", "none"})


def cache_directory(kind: str) -> Path | None:
    """The folder kept for one `kind` of stored thing, or None when storing is turned off."""
    configured = os.environ.get(ENV_CACHE_DIR)
    if configured is not None:
        if configured.strip().lower() in OFF_VALUES or not configured.strip():
            return None
        return Path(configured).expanduser() / kind
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "passkit" / kind
