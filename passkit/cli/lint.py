"""`passkit lint`: design warnings about a layout, before anyone sees the pass."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from passkit.cli.options import sample_options
from passkit.cli.sizes import image_lines
from passkit.cli.text import shown
from passkit.errors import PasskitError


@click.command()
@sample_options
def lint(layout: str, data: Path | None) -> None:
    """Warn about what will look wrong in LAYOUT: cut text, too many fields, missing or
    misshapen images, low contrast, barcodes too dense, content only one wallet shows.
    Then list the Apple bundle's images: their bytes, and what optimising saved.

    Exit status: 0 no warnings, 1 warnings, 2 the layout or record cannot be used.
    """
    from passkit.apple.sizes import bundle_images
    from passkit.preview import lint_layout
    from passkit.preview.sample import load_sample

    sample = load_sample(layout, data)
    warnings = lint_layout(sample.layout, sample.record, record_name=sample.record_name)
    name = sample.layout.path
    for warning in warnings:
        rule = f" [{warning.rule}]" if warning.rule else ""
        click.echo(
            shown(
                f"{name}: {warning.where}: {warning.message} [{warning.wallet}] "
                f"({warning.code}){rule}"
            )
        )
    try:
        images = bundle_images(sample.layout.render(sample.record))
    except PasskitError as exc:  # a rule the Apple bundle breaks: `passkit build` says it too
        click.echo(shown(f"images: not listed, the Apple bundle cannot be made ({exc})"))
    else:
        for line in image_lines(images):
            click.echo(line)
    if warnings:
        count = len(warnings)
        click.echo(f"{count} design warning{'s' if count != 1 else ''}", err=True)
        sys.exit(1)
    click.echo(f"{shown(name)}: no design warnings")
