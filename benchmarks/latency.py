"""Single-pass latency in a warm process: the layout and signer loaded, one record at a time.

python benchmarks/latency.py LAYOUT RECORD.json CERTS_DIR COUNT   -> one JSON line
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from development_keys import apple_credentials

from passkit.batch import BuildPlan
from passkit.batch.builder import Builder
from passkit.batch.records import Record


def main() -> None:
    layout, record_path, certs, count = (
        sys.argv[1],
        sys.argv[2],
        Path(sys.argv[3]),
        int(sys.argv[4]),
    )
    started = time.perf_counter()
    apple = apple_credentials(certs)
    builder = Builder(BuildPlan(layout=Path(layout), apple=apple))
    record = json.loads(Path(record_path).read_text())
    first = builder.build(Record(data=record, name="record", line=1))
    assert first.ok, first.error
    cold = time.perf_counter() - started
    timings = []
    for index in range(count):
        data = {**record, "member_id": f"{80000000 + index}"}
        begin = time.perf_counter()
        result = builder.build(Record(data=data, name="record", line=index))
        timings.append(time.perf_counter() - begin)
        assert result.ok, result.error
    timings.sort()
    print(
        json.dumps(
            {
                "cold_first_pass_s": cold,
                "median_s": statistics.median(timings),
                "p95_s": timings[int(len(timings) * 0.95)],
            }
        )
    )


if __name__ == "__main__":
    main()
