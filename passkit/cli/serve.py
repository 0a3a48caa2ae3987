"""`passkit serve`: the live preview of layouts in the browser."""

from __future__ import annotations

from pathlib import Path

import click

from passkit.cli.text import shown


@click.command()
@click.argument("target", metavar="LAYOUT_OR_DIR", type=click.Path(path_type=Path))
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    help="Record JSON for every layout [default: each layout's sample record in fixtures/].",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def serve(target: Path, data: Path | None, port: int, host: str) -> None:
    """Serve a live preview of LAYOUT_OR_DIR: both wallets, refreshed as files are saved."""
    from passkit.preview.server import serve as run

    run(target, data=data, host=host, port=port, announce=lambda line: click.echo(shown(line)))
