"""The benchmark command, run small: every step runs and the table holds every row.

Only the command's working is checked here, never its numbers (they are the machine's).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROWS = (
    "a. floor: PKCS#7 signatures, whole process",
    "b. warm single pass, median latency",
    "b. cold: load layout and keys, prepare images, first pass",
    "c. passkit build, 100 records, --jobs 1, files on the",
    "no stored images",
    "c. build_many from Python, 100 records, jobs=1, bundles kept in memory",
    "c. dask.distributed, 100 records,",
    "127.0.0.1, one task per record",
    "127.0.0.1, tasks of 100",
    "layout `generic`",
    "c. the disk's own limit: plain writes of",
    "files on the disk",
    "over the lower of its two limits",
    "c. bundle bytes, layout `loyalty`",
    "c. bundle bytes, layout `boarding_pass`",
    "c. inside a --jobs 1 batch, processor time per pass: signing",
    "c. inside a --jobs 1 batch, processor time per pass: all steps",
    "d. peak memory, 100 records",
    "d. peak memory, 200 records",
    "d. memory growth, 200 over 100 records",
    "e. bare PyJWT RS256 loop",
    "e. passkit Google save links",
    "f. bare httpx HTTP/2 loop to the APNs stand-in, 1,000 tokens",
    "f. passkit APNs client to the stand-in, 1,000 tokens",
    "g. sender draining the outbox, 1,000 registrations",
    "g. registry.update to the last push, a pass held by 100 devices",
)


def test_the_benchmark_runs_every_step_and_writes_its_table(tmp_path: Path) -> None:
    output = tmp_path / "results.md"
    command = [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--repeats", "2"]
    command += ["--records", "1000", "--memory-large", "2000", "--output", str(output)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr

    table = output.read_text()
    assert table.strip() in done.stdout
    for row in ROWS:
        assert row in table, row
    # Two rounds: each ratio of a build to the floor comes with the rounds' lowest and highest.
    jobs_one = next(line for line in table.splitlines() if "--jobs 1, files on the" in line)
    assert re.search(r"\| \d+\.\d\d \(\d+\.\d\d-\d+\.\d\d\) \|$", jobs_one), jobs_one
    # The committed results are the last full run's, not this one's.
    assert (ROOT / "benchmarks" / "results.md").read_text() != table
