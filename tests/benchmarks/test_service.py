"""The pass service benchmark, run small: it serves, measures and prints every row.

Only its working is checked, never its numbers (they are the machine's).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_service_benchmark_prints_its_table() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "service.py")]
    command += ["--seconds", "0.2", "--rounds", "1", "--passes", "3"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    for row in ("list serials", "fetch a current pass", "updates, each re-signed"):
        line = next(line for line in done.stdout.splitlines() if line.startswith(f"| {row} |"))
        assert re.search(r"\| \d+\.\d\d \(\d+\.\d\d-\d+\.\d\d\) \|$", line), line
