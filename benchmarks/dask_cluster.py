"""Building every record of a file on a dask.distributed cluster of worker processes on this
machine with `build_record`, files written as `passkit build` writes them: once with one task
per record, once with one task per chunk of records (fewer, larger tasks, as a batch would be
cut up in practice, so that the scheduler's cost per task weighs less).

python benchmarks/dask_cluster.py LAYOUT RECORDS.jsonl CERTS_DIR WORKERS OUT_DIR -> one JSON line

Each rate runs from the first task sent to the last result back, the cluster already started
(a cluster serves many batches); its start-up is reported beside them. Each worker prepares the
plan (layout, images, keys) in its first task, as each `--jobs` worker does.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

from development_keys import apple_credentials
from distributed import Client, LocalCluster, as_completed

from passkit.batch import BuildPlan, BuildResult, build_record, read_records
from passkit.batch.records import Record

CHUNK = 100


def build_chunk(plan: BuildPlan, records: list[Record]) -> list[BuildResult]:
    return [build_record(plan, record) for record in records]


def timed_batch(client: Client, plan: BuildPlan, records: list[Record], chunk: int) -> float:
    """Passes per second building `records` in tasks of `chunk` records (1: `build_record`)."""
    begin = time.perf_counter()
    shared_plan = client.scatter(plan, broadcast=True)
    futures: list[Any]
    if chunk == 1:
        futures = client.map(build_record, [shared_plan] * len(records), records, pure=False)
    else:
        chunks = [records[start : start + chunk] for start in range(0, len(records), chunk)]
        futures = client.map(build_chunk, [shared_plan] * len(chunks), chunks, pure=False)
    for _, result in as_completed(futures, with_results=True):
        for built in result if isinstance(result, list) else [result]:
            assert built.ok, built.error
    return len(records) / (time.perf_counter() - begin)


def main() -> None:
    layout, records_file, certs = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    workers, out_dir = int(sys.argv[4]), Path(sys.argv[5])
    records = list(read_records(records_file))
    apple = apple_credentials(certs)
    begin = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        start_s = time.perf_counter() - begin
        rates = {}
        for chunk in (1, CHUNK):
            plan = BuildPlan(layout=layout, apple=apple, out_dir=out_dir / f"chunk-{chunk}")
            rates[chunk] = timed_batch(client, plan, records, chunk)
    print(
        json.dumps(
            {"per_task_s": rates[1], "chunked_s": rates[CHUNK], "chunk": CHUNK, "start_s": start_s}
        )
    )


if __name__ == "__main__":
    main()
