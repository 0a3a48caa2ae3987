"""`passkit build`: passes from a layout and one record or a file of many."""

from __future__ import annotations

import sys
from collections.abc import Generator
from datetime import datetime
from pathlib import Path

import click

from passkit.batch.build_plan import AppleCredentials, BuildPlan, GoogleCredentials
from passkit.batch.builder import Builder
from passkit.batch.interrupts import interrupts_deferred
from passkit.batch.outputs import FailuresFile, ZipOutput
from passkit.batch.progress import Progress, Tally, estimate_record_count
from passkit.batch.records import read_records_lazily
from passkit.batch.result import BuildResult
from passkit.batch.run import build_many, default_jobs, results_after_interrupt
from passkit.batch.writer import remove_stale
from passkit.cli.batch_end import exit_if_interrupted, say_summary
from passkit.cli.options import google_api_url_option, signing_options
from passkit.cli.text import shown
from passkit.gc_tuning import BatchCollector
from passkit.layout.library import find_layout

BATCH_SUFFIXES = (".jsonl", ".ndjson", ".csv")


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            "use an ISO 8601 date and time with its offset, e.g. 2026-12-01T09:00:00+00:00"
        ) from None
    if moment.tzinfo is None:
        raise click.BadParameter("give the time zone offset too, e.g. 2026-12-01T09:00:00+00:00")
    return moment


@click.command()
@click.argument("layout")
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(path_type=Path),
    help="Record file: .json (one record or a list), .jsonl or .csv (many records).",
)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), help="Directory to write into.")
@click.option(
    "--zip", "zip_path", type=click.Path(path_type=Path), help="Collect the passes into one .zip."
)
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes [default: all cores].")
@click.option("--skip-existing", is_flag=True, help="Skip records whose files already exist.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar instead of a line per pass [default: on for .jsonl/.csv].",
)
@click.option("--now", "now_text", help="Fixed clock (ISO 8601) for reproducible output.")
@click.option(
    "--google-insert",
    is_flag=True,
    help="Insert each pass's Google class and object through the REST API; the save links "
    "then carry only their ids. Without it, links hold their objects and need the class "
    "published (passkit google publish).",
)
@google_api_url_option(
    "The Google Wallet REST API that --google-insert uses [default: Google's]; its "
    "access tokens then come from /token on the same server."
)
@signing_options
def build(
    layout: str,
    data: Path,
    out_dir: Path | None,
    zip_path: Path | None,
    jobs: int | None,
    skip_existing: bool,
    progress: bool | None,
    now_text: str | None,
    google_insert: bool,
    google_api_url: str | None,
    apple: AppleCredentials | None,
    google: GoogleCredentials | None,
) -> None:
    """Build the passes of LAYOUT (a layout file, or a shipped layout's name such as
    "loyalty") for the records in --data.

    Writes OUT/<serial>.pkpass when Apple signing is configured and OUT/<serial>.google.txt
    (the save link) when Google is. A link holds its object and names the layout's class,
    which Google must hold: publish it once with `passkit google publish LAYOUT`. With
    --google-insert, Google holds each pass's class and object before its link is written,
    and the link names them only. Exit status: 0 all built, 1 some records failed (listed
    in failures.jsonl beside the output), 2 usage or layout error (a layout only Google
    refuses: the .pkpass files are written, the links are not).
    """
    _check_usage(out_dir, zip_path, skip_existing, google_insert, google, google_api_url)
    insert_url, token_url = _insert_endpoints(google_insert, google_api_url)
    now = _parse_now(now_text)
    plan = BuildPlan(
        layout=find_layout(layout),
        apple=apple,
        google=google,
        now=now,
        out_dir=out_dir if zip_path is None else None,
        skip_existing=skip_existing,
        google_insert_url=insert_url,
        google_token_url=token_url,
    )
    if progress is None:
        progress = data.suffix.lower() in BATCH_SUFFIXES
    failures_path = (
        zip_path.with_name(zip_path.stem + ".failures.jsonl")
        if zip_path is not None
        else (out_dir or Path(".")) / "failures.jsonl"
    )
    # Made here, not by build_many, to read what it found in the layout.
    builder = Builder(plan)
    tally, take, interrupted = _run(plan, builder, data, jobs, progress, zip_path, failures_path)
    say_summary(tally, failures_path)
    _report_google(layout, plan, builder, take)
    exit_if_interrupted(interrupted)
    if builder.google_problems:
        sys.exit(2)
    if tally.failed:
        sys.exit(1)


def _run(
    plan: BuildPlan,
    builder: Builder,
    data: Path,
    jobs: int | None,
    progress: bool,
    zip_path: Path | None,
    failures_path: Path,
) -> tuple[Tally, _Taker, bool]:
    """Build the records of `data`, taking each result as it comes: the tally, what was
    taken, and whether Ctrl-C stopped the batch."""
    results = build_many(
        plan,
        read_records_lazily(data),
        jobs=jobs if jobs is not None else default_jobs(),
        builder=builder,
    )
    tracker = Progress(estimate_record_count(data) if progress else None)
    if zip_path is not None:
        remove_stale(zip_path.parent)  # what a killed run left (an --out run cleans its own)
    zip_output = ZipOutput(zip_path) if zip_path is not None else None
    collector = BatchCollector()
    try:
        with FailuresFile(failures_path) as failures:
            take = _Taker(tracker, failures, zip_output, collector, echo=not progress)
            interrupted = _take_all(results, take)
    finally:
        collector.restore()
        tracker.close()
        if zip_output is not None:
            zip_output.close()
    return tracker.tally, take, interrupted


def _check_usage(
    out_dir: Path | None,
    zip_path: Path | None,
    skip_existing: bool,
    google_insert: bool,
    google: GoogleCredentials | None,
    google_api_url: str | None,
) -> None:
    """Refuse options that do not go together, before anything is read or written."""
    if out_dir is None and zip_path is None:
        raise click.UsageError("say where to write: --out DIR and/or --zip OUT.zip")
    if zip_path is not None and skip_existing:
        raise click.UsageError("--skip-existing works with --out DIR, not with --zip")
    if google_insert and google is None:
        raise click.UsageError(
            "--google-insert needs a Google service account and issuer id "
            "(--google-service-account and --google-issuer-id, or PASSKIT_GOOGLE_*)"
        )
    if google_api_url is not None and not google_insert:
        raise click.UsageError("--google-api-url is the API that --google-insert uses: give both")


def _insert_endpoints(
    google_insert: bool, google_api_url: str | None
) -> tuple[str | None, str | None]:
    """The API that --google-insert inserts through and its token endpoint (None, None
    without --google-insert)."""
    if not google_insert:
        return None, None
    # Imported only here: a build that inserts nothing loads no HTTP client.
    from passkit.google.rest import api_endpoints

    return api_endpoints(google_api_url)


def _take_all(results: Generator[BuildResult, None, None], take: _Taker) -> bool:
    """Take every result; on Ctrl-C, those of the passes written still. Whether it came."""
    with interrupts_deferred() as interrupt:
        try:
            for result in results:
                take(result)
                if interrupt.came:
                    break
        except KeyboardInterrupt:  # where Ctrl-C could not be held back
            interrupt.came = True
        if interrupt.came:
            # Workers finish what they hold: count every pass written, not only those
            # this process had heard of when Ctrl-C came.
            for result in results_after_interrupt(results):
                take(result)
    return interrupt.came


def _report_google(layout: str, plan: BuildPlan, builder: Builder, take: _Taker) -> None:
    """Say what the save links need (their class published) and why none were written."""
    if take.links and plan.google_insert_url is None:
        from passkit.google.publish import needs_class_notice

        notice = needs_class_notice(str(layout), take.google_classes, take.links)
        click.echo(shown(notice, lines=True), err=True)
    for problem in builder.google_problems:
        click.echo(f"error: no Google save link was written: {shown(problem)}", err=True)


class _Taker:
    """What the build does with each result: count it, list a failure, note its Google class,
    add it to the zip."""

    def __init__(
        self,
        tracker: Progress,
        failures: FailuresFile,
        zip_output: ZipOutput | None,
        collector: BatchCollector,
        *,
        echo: bool,
    ) -> None:
        self.tracker, self.failures, self.zip_output = tracker, failures, zip_output
        self.collector, self.echo = collector, echo
        # The Google classes the save links name, and how many links there are.
        self.google_classes: set[str] = set()
        self.links = 0

    def __call__(self, result: BuildResult) -> None:
        if self.tracker.tally.done == 0:
            # The first pass is made: what every pass shares is ready.
            self.collector.settle()
        self.tracker.update(result)
        if not result.ok:
            self.failures.add(result)
            if self.echo:
                named = f" [{result.rule}]" if result.rule else ""
                click.echo(
                    f"failed: {shown(result.record)}: {shown(result.error)}{named}", err=True
                )
            return
        if result.google_class is not None:
            self.links += 1
            self.google_classes.add(result.google_class)
        if self.zip_output is not None:
            self.zip_output.add(result)
        if self.echo:
            click.echo(_describe(result))


def _describe(result: BuildResult) -> str:
    if result.skipped:
        return f"skipped {shown(result.serial)}: already built"
    if result.files:
        return f"{shown(result.serial)}: wrote " + ", ".join(shown(path) for path in result.files)
    return f"{shown(result.serial)}: added to the archive"
