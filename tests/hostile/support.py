"""Running hostile input in a child process, with a memory cap and a time limit: a regression
then fails its test instead of hanging it or taking the machine down."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from typing import Any

import pytest

MEMORY_CAP = 1536 * 1024 * 1024


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(code: str, *arguments: str, what: str, timeout: float = 60) -> dict[str, Any]:
    """Run Python `code` with `arguments` (sys.argv[1:]) in a capped child; its last line of
    output, read as JSON. `what` says what the child does, for the failure message."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, *arguments],
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=_cap_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{what} ran for {timeout:g} s")
    assert done.returncode == 0, f"{what} crashed: {done.stderr[-3000:]}"
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer
