"""Building passes from records, a chunk at a time, with everything per-layout prepared once
per process (`Builder`), and one record at a time from a task of a distributed engine
(`build_record`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from passkit.apple.bundle import UnsignedBundle, sign_bundle, unsigned_bundle
from passkit.batch.build_plan import BuildPlan
from passkit.batch.claims import SerialClaims, repeated_serial
from passkit.batch.file_names import output_stem
from passkit.batch.google_insert import GoogleInserts
from passkit.batch.interrupts import interrupts_deferred
from passkit.batch.records import Record, RecordLine
from passkit.batch.result import BuildResult, ChunkInterrupted
from passkit.batch.writer import OutputDirectory
from passkit.errors import PasskitError, rule_behind

if TYPE_CHECKING:
    from passkit.apple.signing import AppleSigner
    from passkit.google import GooglePass, ServiceAccount
    from passkit.layout import Layout
    from passkit.model.pass_ import Pass


class Builder:
    """A layout and its signers, loaded once, building pass after pass."""

    def __init__(self, plan: BuildPlan) -> None:
        from passkit.layout import load_layout

        self.plan = plan
        self.layout: Layout = load_layout(plan.layout)
        self.apple: AppleSigner | None = plan.apple.signer() if plan.apple else None
        self.google: ServiceAccount | None = plan.google.account() if plan.google else None
        if self.apple is None and self.google is None:
            raise PasskitError(
                "no signing is configured: give Apple certificates (--apple-cert/--apple-key, "
                "--apple-p12 or PASSKIT_APPLE_*) and/or a Google service account "
                "(--google-service-account and --google-issuer-id or PASSKIT_GOOGLE_*)"
            )
        if self.apple is not None:
            self.apple.check(now=plan.now)
        # Google rules the layout breaks for every pass: no save link can be made, but the
        # Apple bundles can. Without Apple signing there is nothing to build: say so now.
        self.google_problems = self.layout.google_problems if self.google is not None else ()
        if self.google_problems:
            if self.apple is None:
                raise self.google_problems[0]
            self.google = None
        if self.google is not None and plan.google is not None:
            # A wrong issuer id would fail every record alike: say so once, before building.
            from passkit.google.ids import check_issuer_id

            check_issuer_id(plan.google.issuer_id)
        self._inserts: GoogleInserts | None = None
        if self.google is not None and plan.google_insert_url is not None:
            self._inserts = GoogleInserts(
                self.google, plan.google_insert_url, plan.google_token_url
            )
            # A key Google refuses, or an API out of reach, would fail every record alike:
            # find out once, before building.
            self._inserts.check_access()
        self._out = OutputDirectory(plan.out_dir) if plan.out_dir is not None else None
        # Whether bundles are written by a thread of their own while the next ones are signed
        # (`_sign_and_write`): set in the worker processes of a batch on several cores.
        self.write_behind = False
        self._claims = (
            SerialClaims(plan.out_dir, plan.batch_id)
            if plan.out_dir is not None and plan.batch_id is not None
            else None
        )

    def start_batch(self, batch_id: str) -> SerialClaims:
        """Claim each pass's serial number in the batch `batch_id` from now on (see
        passkit.batch.claims); workers started from this builder or its plan claim in it too."""
        out_dir = self.plan.out_dir
        assert out_dir is not None, "claims are files in the output directory"
        self.plan = replace(self.plan, batch_id=batch_id)
        self._claims = SerialClaims(out_dir, batch_id)
        return self._claims

    def build(self, record: Record | RecordLine) -> BuildResult:
        return self.build_chunk([record])[0]

    def render(self, record: Record, now: datetime | None = None) -> Pass:
        # CSV cells arrive as text; the layout's inputs read "42" or "12.50 EUR" themselves.
        return self.layout.render(record.data, now=now or self.plan.now, record_name=record.name)

    def build_chunk(self, records: Sequence[Record | RecordLine]) -> list[BuildResult]:
        """One result per record, in order; a record that fails does not stop the others.

        The records go through each step together (render them all, then bundle them all, then
        sign them all, then write them all) rather than one by one: each step's code and data
        stay in the processor's caches from one pass to the next, which makes a batch about
        a fifth faster than the same work done pass by pass (measured, 128 records a chunk).
        """
        results: list[BuildResult | None] = [None] * len(records)
        jobs: list[_Job] = []
        # One clock reading for the chunk: its passes are made within milliseconds of each
        # other, and a shared issue and signing time is encoded into the signature once.
        now = self.plan.now or datetime.now(UTC)
        for index, item in enumerate(records):
            record = item.record() if isinstance(item, RecordLine) else item
            job = self._start(index, record, now, results)
            if job is not None:
                jobs.append(job)
        started = jobs
        try:
            for step in self._steps:
                failed = step(jobs)
                if failed:
                    for job, error in failed:
                        results[job.index] = self._failed(job.record, error)
                    dropped = {job.index for job, _ in failed}
                    jobs = [job for job in jobs if job.index not in dropped]
            with interrupts_deferred() as interrupt:
                for job in jobs:
                    results[job.index] = self._finish(job)
        except BaseException:
            # Interrupted (Ctrl-C) or a write failed: no file is written after this chunk's
            # results are lost; the one being written is finished (it appears whole or not).
            for job in started:
                if job.writing is not None:
                    job.writing.cancel()
            raise
        finished = [result for result in results if result is not None]
        if interrupt.came:
            raise ChunkInterrupted(finished)
        return finished

    def _start(
        self, index: int, record: Record, now: datetime, results: list[BuildResult | None]
    ) -> _Job | None:
        if record.problem is not None:
            results[index] = BuildResult(record=record.name, line=record.line, error=record.problem)
            return None
        try:
            pass_ = self.render(record, now)
        except PasskitError as exc:
            results[index] = self._failed(record, exc)
            return None
        serial = pass_.serial_number
        stem = output_stem(serial)
        if self._claims is not None:
            first = self._claims.claim(stem, record.name)
            if first is not None:
                error = repeated_serial(serial, first)
                results[index] = BuildResult(record=record.name, line=record.line, error=error)
                return None
        out = self._out
        if out is not None and self.plan.skip_existing and self._already_built(out.path, stem):
            results[index] = BuildResult(
                record=record.name, line=record.line, serial=serial, skipped=True
            )
            return None
        return _Job(index, record, pass_, stem, now)

    @staticmethod
    def _failed(record: Record, error: PasskitError) -> BuildResult:
        return BuildResult(
            record=record.name, line=record.line, error=str(error), rule=rule_behind(error)
        )

    @property
    def _steps(self) -> list[_ChunkStep]:
        steps: list[_ChunkStep] = []
        if self.apple is not None:
            # Apple alone into a folder: each bundle may be written while the next is signed.
            # (With Google too, a record can still fail after signing: it is written after.)
            overlap = self.write_behind and self._out is not None and self.google is None
            steps += (_each(self._bundle), _each(self._sign_and_write if overlap else self._sign))
        if self.google is not None:
            steps.append(_each(self._compile_google))
            if self._inserts is not None:
                steps.append(self._insert_all)
            steps.append(_each(self._link))
        return steps

    def _bundle(self, job: _Job) -> None:
        assert self.apple is not None
        job.unsigned = unsigned_bundle(job.pass_, self.apple, now=job.now)

    def _sign(self, job: _Job) -> None:
        assert self.apple is not None and job.unsigned is not None
        job.pkpass = sign_bundle(job.unsigned, self.apple)

    def _sign_and_write(self, job: _Job) -> None:
        """Sign, then hand the bundle to the folder's writing thread (`write_later`), which
        writes it while the next pass is signed; `_finish` waits for the file before reporting
        it written. Measured on two cores, 3,000 loyalty passes onto ext4: with --jobs 2,
        23-47% more passes a second in four runs of five (the fifth even); with --jobs 1, from
        39% fewer to 4% more, so a batch in one process writes as it did.
        """
        self._sign(job)
        assert self._out is not None and job.pkpass is not None
        job.writing = self._out.write_later(f"{job.stem}.pkpass", job.pkpass)

    def _compile_google(self, job: _Job) -> None:
        from passkit.google import compile_google

        assert self.plan.google is not None
        job.google_pass = compile_google(
            job.pass_, issuer_id=self.plan.google.issuer_id, options=self.layout.google
        )

    def _link(self, job: _Job) -> None:
        """The save link: the object alone (the class is published once, apart), or with
        --google-insert the ids of the class and object Google now holds."""
        from passkit.errors import WalletRuleError
        from passkit.google import save_link

        assert self.google is not None and self.plan.google is not None
        assert job.google_pass is not None
        inserted = self.plan.google_insert_url is not None
        link = save_link(
            job.google_pass,
            self.google,
            origins=self.plan.google.origins,
            now=job.now,
            class_inserted=True,
            ids_only=inserted,
        )
        if link.too_long is not None:
            # A link naming an object nobody inserted would not work: never written.
            raise WalletRuleError(
                f"no Google save link: {link.too_long}; shorten those, or build with "
                "--google-insert so that Google holds each object and its link names it"
            )
        job.link, job.skinny, job.google_class = link.url, link.skinny, link.class_id

    def _finish(self, job: _Job) -> BuildResult:
        record, out = job.record, self._out
        if out is None:
            crc = None
            if job.pkpass is not None and job.unsigned is not None:
                crc = job.unsigned.crc_of(job.pkpass)
            return BuildResult(
                record=record.name,
                line=record.line,
                serial=job.pass_.serial_number,
                pkpass=b"".join(job.pkpass) if job.pkpass is not None else None,
                save_link=job.link,
                skinny_link=job.skinny,
                pkpass_crc=crc,
                google_class=job.google_class,
            )
        files: list[str] = []
        if job.writing is not None:
            files.append(job.writing.result())
        elif job.pkpass is not None:
            files.append(out.write(f"{job.stem}.pkpass", job.pkpass))
        if job.link is not None:
            files.append(out.write(f"{job.stem}.google.txt", [f"{job.link}\n".encode()]))
        return BuildResult(
            record=record.name,
            line=record.line,
            serial=job.pass_.serial_number,
            save_link=job.link,
            skinny_link=job.skinny,
            google_class=job.google_class,
            written=tuple(files),
        )

    def _already_built(self, out_dir: Path, stem: str) -> bool:
        wanted = []
        if self.apple is not None:
            wanted.append(out_dir / f"{stem}.pkpass")
        if self.google is not None:
            wanted.append(out_dir / f"{stem}.google.txt")
        return all(path.exists() for path in wanted)

    def _insert_all(self, jobs: list[_Job]) -> list[tuple[_Job, PasskitError]]:
        """Make Google hold the jobs' classes and objects (see GoogleInserts.insert)."""
        assert self._inserts is not None
        errors = self._inserts.insert([_google_pass(job) for job in jobs])
        return [(job, error) for job, error in zip(jobs, errors, strict=True) if error is not None]


@dataclass(slots=True)
class _Job:
    """One record on its way through the steps of `Builder.build_chunk`."""

    index: int
    record: Record
    pass_: Pass
    stem: str
    now: datetime
    unsigned: UnsignedBundle | None = None
    pkpass: list[bytes] | None = None
    google_pass: GooglePass | None = None
    link: str | None = None
    skinny: bool = False
    writing: Future[str] | None = None  # the bundle's file, being written
    google_class: str | None = None


# A step of `Builder.build_chunk`: it works on the chunk's jobs and returns those that failed.
_ChunkStep = Callable[[list[_Job]], list[tuple[_Job, PasskitError]]]


def _google_pass(job: _Job) -> GooglePass:
    assert job.google_pass is not None, "compiled by the step before"
    return job.google_pass


def _each(step: Callable[[_Job], None]) -> _ChunkStep:
    """The chunk step that runs `step` on each job in turn."""

    def run(jobs: list[_Job]) -> list[tuple[_Job, PasskitError]]:
        failed = []
        for job in jobs:
            try:
                step(job)
            except PasskitError as exc:
                failed.append((job, exc))
        return failed

    return run


_builders: dict[BuildPlan, Builder] = {}


def build_record(plan: BuildPlan, record: Record | dict[str, Any]) -> BuildResult:
    """Build one record in this process, preparing the plan's layout and signers only once.

    This is the function to call from a task of a distributed engine: the plan and the record
    are plain picklable data, and each worker process keeps its prepared builder.
    """
    builder = _builders.get(plan)
    if builder is None:
        builder = _builders[plan] = Builder(plan)
    if not isinstance(record, Record):
        record = Record(data=dict(record), name="record", line=1)
    return builder.build(record)
