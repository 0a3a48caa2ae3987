"""`passkit preview`: an image (or page) of a pass in Apple Wallet and Google Wallet."""

from __future__ import annotations

from pathlib import Path

import click

from passkit.cli.options import sample_options
from passkit.cli.text import shown
from passkit.files import atomic_write


@click.command()
@sample_options
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="FILE.png for an image, FILE.html for a self-contained page.",
)
@click.option(
    "--wallet",
    type=click.Choice(["apple", "google", "both"]),
    default="both",
    show_default=True,
    help="Which wallet(s) to draw.",
)
@click.option("--lang", help="Draw a translation of the pass, e.g. fr.")
def preview(layout: str, data: Path | None, out: Path, wallet: str, lang: str | None) -> None:
    """Draw LAYOUT filled with a record as Apple Wallet (front, back) and Google Wallet show it.

    Design warnings are listed in the image's margin and printed here.
    """
    from passkit import preview as previews
    from passkit.languages import matching_language
    from passkit.preview.sample import load_sample
    from passkit.preview.warnings import layout_warnings

    suffix = out.suffix.lower()
    if suffix not in (".png", ".html", ".htm"):
        raise click.BadParameter("the output must end in .png or .html", param_hint="--out")
    sample = load_sample(layout, data)
    p = sample.render()
    languages = [p.language, *p.translations]
    if lang is not None:
        # As a device does: de-AT falls back to de.
        chosen = matching_language(languages, lang)
        if chosen is None:
            raise click.BadParameter(
                f"the pass has no {lang!r} translation; choose one of {', '.join(languages)}",
                param_hint="--lang",
            )
        if chosen != lang:
            click.echo(f"drawing the {chosen!r} translation for {lang!r}", err=True)
        lang = chosen
    warnings = layout_warnings(sample.layout, p)
    options = {"wallet": wallet, "language": lang, "warnings": warnings}
    if suffix == ".png":
        body = previews.render_png(p, google=sample.layout.google, **options)  # type: ignore[arg-type]
    else:
        page = previews.render_html(p, google=sample.layout.google, **options)  # type: ignore[arg-type]
        body = page.encode("utf-8")
    atomic_write(out, body)
    for warning in warnings:
        click.echo(f"warning: {shown(warning)}", err=True)
    click.echo(
        f"wrote {shown(out)} ({len(warnings)} design warning{'s' if len(warnings) != 1 else ''})"
    )
