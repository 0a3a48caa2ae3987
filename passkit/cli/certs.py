"""`passkit certs`: certificates for signing passes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from passkit.cli.text import shown
from passkit.devcerts.chain import (
    DEFAULT_PASS_TYPE_ID,
    DEFAULT_TEAM_ID,
    DEFAULT_YEARS,
    validity_window,
)
from passkit.devcerts.folder import (
    WARNING,
    write_dev_certificates,
)

_DAY = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"])


@click.group()
def certs() -> None:
    """Make throwaway development certificates."""


@certs.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace certificates already in DIRECTORY.")
@click.option(
    "--pass-type-id",
    default=DEFAULT_PASS_TYPE_ID,
    show_default=True,
    help="Pass type identifier (the certificate's UID).",
)
@click.option(
    "--team-id",
    default=DEFAULT_TEAM_ID,
    show_default=True,
    help="Team identifier (the certificate's OU).",
)
@click.option(
    "--valid-from",
    type=_DAY,
    help="First day the certificates are valid (UTC) [default: --years before today].",
)
@click.option(
    "--valid-until",
    type=_DAY,
    help="When the certificates stop being valid (UTC) [default: --years after today].",
)
@click.option(
    "--years",
    type=click.IntRange(min=1, max=50),
    default=DEFAULT_YEARS,
    show_default=True,
    help="Years before and after today that the certificates are valid.",
)
def dev(
    directory: Path,
    force: bool,
    pass_type_id: str,
    team_id: str,
    valid_from: datetime | None,
    valid_until: datetime | None,
    years: int,
) -> None:
    """Write development certificates into DIRECTORY.

    A root CA, a WWDR-like intermediate, a pass type certificate and key (PEM and PKCS#12) and a
    Google-style service account. Real devices and Google do NOT accept them. They are valid
    from years before to years after today, so that passes built with a fixed time (build
    --now) can be signed; choose the window with --valid-from/--valid-until or --years.
    """
    start, end = validity_window(valid_from, valid_until, years=years)
    written = write_dev_certificates(
        directory,
        force=force,
        pass_type_id=pass_type_id,
        team_id=team_id,
        valid_from=start,
        valid_until=end,
    )
    click.echo(f"Wrote development certificates to {shown(written.directory)}:")
    for path in written.files:
        click.echo(f"  {shown(path)}")
    click.echo(
        f"Pass type id {written.pass_type_id}, team id {written.team_id};"
        f' PKCS#12 password "{written.p12_password}".'
    )
    click.echo(f"Valid from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC.")
    click.echo(
        f"To sign with them: export PASSKIT_APPLE_CERT={written.pass_certificate}"
        f" PASSKIT_APPLE_KEY={written.pass_key} PASSKIT_WWDR={written.wwdr}"
    )
    click.secho(f"WARNING: {WARNING}", fg="yellow", err=True)
