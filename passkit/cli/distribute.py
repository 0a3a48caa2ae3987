"""`passkit distribute`: a pass per recipient, issued into the registry, with its link and QR."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from passkit.cli.batch_end import exit_if_interrupted, say_summary
from passkit.cli.passes import registry_options

if TYPE_CHECKING:
    from passkit.service.registry import Registry


@click.command()
@click.argument("layout")
@click.option(
    "--recipients",
    required=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A .csv, .jsonl or .json file: one record per recipient.",
)
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False))
@click.option("--expires", help="Last day the links work (2027-01-31), or an ISO time with offset.")
@click.option("--skip-existing", is_flag=True, help="Skip recipients whose link file exists.")
@click.option(
    "--progress/--no-progress", default=True, help="Progress bar (or lines) on standard error."
)
@registry_options
def distribute(
    layout: str,
    recipients: Path,
    out_dir: Path,
    expires: str | None,
    skip_existing: bool,
    progress: bool,
    registry: Registry,
) -> None:
    """Issue a pass of LAYOUT to each recipient, each with its own personal link.

    Writes OUT/<serial>.link.txt (the link), OUT/<serial>.png (a QR code of it) and
    OUT/links.csv (line, serial and link of every recipient). Opening a link gives its pass
    and counts nothing. Exit status: 0 all issued, 1 some recipients failed (listed in
    OUT/failures.jsonl), 130 interrupted (run again with --skip-existing to resume).
    """
    from passkit.batch.outputs import FailuresFile
    from passkit.batch.progress import Progress, estimate_record_count
    from passkit.service.distribution import Distribution

    distribution = Distribution(
        registry, layout, out_dir, expires=expires, skip_existing=skip_existing
    )
    failures_path = out_dir / "failures.jsonl"
    tracker = Progress(estimate_record_count(recipients) if progress else None)
    interrupted = False
    try:
        with FailuresFile(failures_path) as failures:
            try:
                for done in distribution.run(recipients):
                    tracker.update(done.result)
                    if not done.result.ok:
                        failures.add(done.result)
            except KeyboardInterrupt:
                interrupted = True
    finally:
        tracker.close()
    tally = tracker.tally
    say_summary(tally, failures_path, verb="issued")
    exit_if_interrupted(interrupted, verb="issued")
    if tally.failed:
        sys.exit(1)
