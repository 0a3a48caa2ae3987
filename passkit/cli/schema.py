"""`passkit schema`: print the JSON Schema of the layout format, for editors and CI checks."""

from __future__ import annotations

import json
from pathlib import Path

import click

from passkit.cli.text import shown
from passkit.files import atomic_write


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the schema to this file instead of printing it.",
)
def schema(out: Path | None) -> None:
    """Print the JSON Schema of the layout file format.

    Point your editor at it (for example with a `# yaml-language-server: $schema=...` comment
    at the top of a layout) to get completion and checks while you write.
    """
    from passkit.layout import layout_json_schema

    text = json.dumps(layout_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        click.echo(text, nl=False)
    else:
        atomic_write(out, text.encode("utf-8"))
        click.echo(f"wrote {shown(out)}")
