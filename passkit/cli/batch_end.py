"""How a command that makes passes from many records ends: the same words for `build` and
`distribute`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from passkit.batch.progress import Tally
from passkit.cli.text import shown


def say_summary(tally: Tally, failures_path: Path, *, verb: str = "built") -> None:
    """The summary line, and where the failures are listed when there are some."""
    click.echo(tally.summary(verb), err=True)
    if tally.failed:
        click.echo(f"failures listed in {shown(failures_path)}", err=True)


def exit_if_interrupted(interrupted: bool, *, verb: str = "built") -> None:
    """After Ctrl-C: say that what was made is kept and how to resume, and exit with 130."""
    if interrupted:
        click.echo(
            f"interrupted: the passes {verb} so far are kept; "
            "run the same command with --skip-existing to resume",
            err=True,
        )
        sys.exit(130)
