"""`passkit certs`: certificates for signing passes."""

from __future__ import annotations

from pathlib import Path

import click

from passkit.cli.text import shown
from passkit.devcerts import (
    DEFAULT_PASS_TYPE_ID,
    DEFAULT_TEAM_ID,
    WARNING,
    write_dev_certificates,
)


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
def dev(directory: Path, force: bool, pass_type_id: str, team_id: str) -> None:
    """Write development certificates into DIRECTORY.

    A root CA, a WWDR-like intermediate, a pass type certificate and key (PEM and PKCS#12) and a
    Google-style service account. Real devices and Google do NOT accept them.
    """
    written = write_dev_certificates(
        directory, force=force, pass_type_id=pass_type_id, team_id=team_id
    )
    click.echo(f"Wrote development certificates to {shown(written.directory)}:")
    for path in written.files:
        click.echo(f"  {shown(path)}")
    click.echo(
        f"Pass type id {written.pass_type_id}, team id {written.team_id};"
        f' PKCS#12 password "{written.p12_password}".'
    )
    click.echo(
        f"To sign with them: export PASSKIT_APPLE_CERT={written.pass_certificate}"
        f" PASSKIT_APPLE_KEY={written.pass_key} PASSKIT_WWDR={written.wwdr}"
    )
    click.secho(f"WARNING: {WARNING}", fg="yellow", err=True)
