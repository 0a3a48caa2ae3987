"""Where a pass's time goes inside a batch: processor time per pass of each step of a build.

python benchmarks/steps.py LAYOUT RECORDS.jsonl CERTS_DIR OUT_DIR   -> one JSON line

Builds the records in this process as a `--jobs 1` worker does (chunks of
`passkit.batch.run.CHUNK_SIZE`, the collector settled), timing each step of `Builder.build_chunk`
on its own: rendering and checking the record, making pass.json, the manifest and the zip
members, signing, and writing the file into OUT_DIR. Between chunks it times, on the same
manifests, the RSA key operation alone and the floor's PKCS#7 builder, so that the signing
step can be read against what signing costs at the least. Process time, not wall time: a
neighbour's load on a shared machine then weighs less.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from development_keys import apple_credentials

from passkit.batch import BuildPlan
from passkit.batch.builder import Builder
from passkit.batch.records import read_records_lazily
from passkit.batch.result import BuildResult
from passkit.batch.run import CHUNK_SIZE
from passkit.gc_tuning import BatchCollector

STEPS = ("render", "bundle", "sign", "write", "rsa alone", "floor pkcs7")


def main() -> None:
    layout, records_path, certs, out = (
        Path(sys.argv[1]),
        Path(sys.argv[2]),
        Path(sys.argv[3]),
        Path(sys.argv[4]),
    )
    apple = apple_credentials(certs)
    builder = Builder(BuildPlan(layout=layout, apple=apple, out_dir=out))
    key = serialization.load_pem_private_key((certs / "pass-key.pem").read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    certificate = x509.load_pem_x509_certificate((certs / "pass-cert.pem").read_bytes())
    wwdr = x509.load_pem_x509_certificate((certs / "wwdr.pem").read_bytes())
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]

    records = list(read_records_lazily(records_path))
    assert builder.build(records[0]).ok  # what every pass shares is prepared
    BatchCollector().settle()  # as in a worker, which only builds passes from then on
    per_pass: dict[str, list[float]] = {step: [] for step in STEPS}
    clock = time.process_time
    for first in range(0, len(records), CHUNK_SIZE):
        chunk = records[first : first + CHUNK_SIZE]
        now = datetime.now(UTC)
        results: list[BuildResult | None] = [None] * len(chunk)
        # The steps of Builder.build_chunk, one at a time (its private steps: this script is
        # checked by the test suite, which runs it whenever they change).
        begin = clock()
        jobs = [builder._start(i, line.record(), now, results) for i, line in enumerate(chunk)]
        rendered = clock()
        built = [job for job in jobs if job is not None]
        for job in built:
            builder._bundle(job)
        bundled = clock()
        for job in built:
            builder._sign(job)
        signed = clock()
        finished = [builder._finish(job) for job in built]
        written = clock()
        manifests = [job.unsigned.manifest for job in built if job.unsigned is not None]
        for manifest in manifests:
            key.sign(manifest, padding.PKCS1v15(), hashes.SHA256())
        rsa_done = clock()
        for manifest in manifests:
            (
                pkcs7.PKCS7SignatureBuilder()
                .set_data(manifest)
                .add_signer(certificate, key, hashes.SHA256())
                .add_certificate(wwdr)
                .sign(serialization.Encoding.DER, options)
            )
        floor_done = clock()
        count = len(built)
        marks = (begin, rendered, bundled, signed, written, rsa_done, floor_done)
        for step, start, end in zip(STEPS, marks[:-1], marks[1:], strict=True):
            per_pass[step].append((end - start) / count)
        # The chunk's files go, the folder stays: the next chunk writes as a batch does.
        for result in finished:
            for path in result.written:
                os.unlink(path)
    shutil.rmtree(out, ignore_errors=True)
    # The median chunk: a chunk that a neighbour's burst of load slowed does not count.
    print(json.dumps({step: statistics.median(times) for step, times in per_pass.items()}))


if __name__ == "__main__":
    main()
