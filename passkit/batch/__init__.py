"""Building many passes: streamed records, worker processes, files or bytes as they finish.

    plan = BuildPlan(layout=Path("layouts/loyalty.yaml"),
                     apple=AppleCredentials.resolve(certificate="cert.pem", key="key.pem"))
    for result in build_many(plan, read_records_lazily("members.jsonl"), jobs=4):
        store(result.serial, result.pkpass)

(`read_records_lazily` leaves each JSON line to be parsed by the worker that builds it;
`read_records` parses them as it reads.)

Plans and records are plain picklable data: `build_record(plan, record)` runs unchanged inside
a task of Celery, Dask, Ray or Spark, preparing the layout and signers once per worker.
"""

from passkit.batch.build_plan import AppleCredentials, BuildPlan, GoogleCredentials
from passkit.batch.builder import build_record
from passkit.batch.records import Record, RecordLine, read_records, read_records_lazily
from passkit.batch.result import BuildResult
from passkit.batch.run import build_many

__all__ = [
    "AppleCredentials",
    "BuildPlan",
    "BuildResult",
    "GoogleCredentials",
    "Record",
    "RecordLine",
    "build_many",
    "build_record",
    "read_records",
    "read_records_lazily",
]
