"""Building every record of a file with build_many (jobs=1), bundles kept in memory and dropped:
its peak memory, and (timed from outside, as a whole process) its rate.

python benchmarks/memory.py LAYOUT RECORDS.jsonl CERTS_DIR   -> one JSON line
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from development_keys import apple_credentials

from passkit.batch import BuildPlan, build_many, read_records_lazily
from passkit.gc_tuning import BatchCollector


def main() -> None:
    layout, records, certs = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    apple = apple_credentials(certs)
    built = 0
    # As `passkit build` does: records read as they are built, and the collector set for a
    # process that only builds passes once the first is made.
    for result in build_many(
        BuildPlan(layout=Path(layout), apple=apple), read_records_lazily(records), jobs=1
    ):
        assert result.ok, result.error
        if built == 0:
            BatchCollector().settle()
        built += 1
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"built": built, "peak_mib": peak_kib / 1024}))


if __name__ == "__main__":
    main()
