"""`passkit link`: issuance links to a layout's passes, one or one per recipient."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from passkit.cli.passes import parse_set, registry_options
from passkit.layout.typed_values import typed_values

if TYPE_CHECKING:
    from passkit.service.registry import Registry


@click.group()
def link() -> None:
    """Make issuance links: a page that gives the pass, for an e-mail, a text or a QR code."""


@link.command()
@click.argument("layout")
@click.option("--prefill", multiple=True, help="NAME=VALUE the link fills in (repeatable).")
@click.option("--expires", help="Last day the link works (2027-01-31), or an ISO time with offset.")
@click.option("--max-uses", type=click.IntRange(min=1), help="Passes the link gives at most.")
@click.option(
    "--campaign",
    is_flag=True,
    help="A link shared by many: a new pass per use (up to --max-uses), the form asking what "
    "is not pre-filled. Without it, a personal link: one pass, the same on every visit.",
)
@click.option(
    "--recipients",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A .csv, .jsonl or .json file: one personal link per record, pre-filled with it.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="With --recipients: the CSV to write (line, link, then the record's values).",
)
@registry_options
def create(
    layout: str,
    prefill: tuple[str, ...],
    expires: str | None,
    max_uses: int | None,
    campaign: bool,
    recipients: Path | None,
    out: Path | None,
    registry: Registry,
) -> None:
    """Print the URL of a new link to a pass of LAYOUT (or, with --recipients, write one per
    recipient into --out).

    Needs PASSKIT_WEB_SERVICE_URL (the links live under it) and PASSKIT_SERVICE_SECRET (their
    keys); nothing is written to the database until a link is used.
    """
    # Each value read by its input, as `passkit pass update --set` reads them: a value the
    # input does not take is refused now, not when a member opens the link.
    values = typed_values(
        registry.layouts.get(layout).layout,
        parse_set(prefill, option="--prefill"),
        record_name="--prefill",
    )
    kind = "campaign" if campaign else "personal"
    if recipients is None:
        if out is not None:
            raise click.UsageError("--out goes with --recipients")
        url = registry.issuance_link(layout, values, expires=expires, max_uses=max_uses, kind=kind)
        click.echo(url)
        return
    if out is None:
        raise click.UsageError("--recipients needs --out FILE.csv, where the links go")
    if campaign:
        raise click.UsageError("--recipients makes personal links, one per recipient")
    _bulk(registry, layout, recipients, out, values, expires=expires, max_uses=max_uses)


def _bulk(
    registry: Registry,
    layout: str,
    recipients: Path,
    out: Path,
    values: dict[str, Any],
    *,
    expires: str | None,
    max_uses: int | None,
) -> None:
    from passkit.batch.records import read_records
    from passkit.errors import DataError
    from passkit.files import atomic_write

    rows: list[dict[str, Any]] = []
    for record in read_records(recipients):
        if record.problem is not None:
            raise DataError(f"{record.name}: {record.problem}; nothing was written")
        prefill = {**values, **record.data}
        url = registry.issuance_link(
            layout, prefill, expires=expires, max_uses=max_uses, kind="personal"
        )
        rows.append({"line": record.line, "link": url, **_flat(record.data)})
    columns = list(dict.fromkeys(name for row in rows for name in row))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write(out, text.getvalue().encode())
    click.echo(f"{len(rows)} links written to {out}", err=True)


def _flat(data: dict[str, Any]) -> dict[str, str]:
    return {
        name: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        for name, value in data.items()
    }
