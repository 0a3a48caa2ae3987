"""Running the `passkit` command in tests: in a fresh process, or in this one through `main`."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from passkit.cli import main


def passkit(
    *args: str | Path, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python -m passkit ARGS` in a fresh process, as a user runs it; output captured.
    `env`: the process's whole environment (default: this one's)."""
    return subprocess.run(
        [sys.executable, "-m", "passkit", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
        env=None if env is None else dict(env),
    )


def exit_status(*args: str | Path) -> int:
    """Run `passkit ARGS` in this process through `main`, as the console script does (`run`
    adds only what ends its own process quickly)."""
    try:
        main([str(arg) for arg in args])
    except SystemExit as exit:
        return int(exit.code or 0)
    return 0
