"""`passkit pass`: issue passes into the registry and change them; the phones follow."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from passkit.cli.options import signing_options
from passkit.cli.service import DATABASE_HELP
from passkit.cli.text import shown
from passkit.model.choices import Status

if TYPE_CHECKING:
    from passkit.batch.build_plan import AppleCredentials, GoogleCredentials
    from passkit.service.registry import Registry

F = TypeVar("F", bound=Callable[..., Any])


def registry_options(command: F) -> F:
    """--database, --layouts and --web-service-url, and the signing options; the command
    receives `registry` (made from them and the environment)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["registry"] = _registry(
            kwargs.pop("database"),
            kwargs.pop("layouts"),
            kwargs.pop("web_service_url"),
            kwargs.pop("apple"),
            kwargs.pop("google"),
        )
        try:
            return command(*args, **kwargs)
        finally:
            _finish_pushes(kwargs["registry"])

    decorated: Any = signing_options(wrapper)
    decorated = click.option(
        "--web-service-url", help="Public address of the web service [env PASSKIT_WEB_SERVICE_URL]."
    )(decorated)
    decorated = click.option(
        "--layouts", help="Folder of layouts [env PASSKIT_LAYOUTS; default: the shipped ones]."
    )(decorated)
    return click.option("--database", help=DATABASE_HELP)(decorated)  # type: ignore[no-any-return]


# How long a command waits for the pushes of its change before leaving them in the outbox.
PUSH_WAIT = 30.0


def _finish_pushes(registry: Registry) -> None:
    """Let the pushes of the command's change go out before the process ends; what cannot
    (APNs refused or slow) waits in the outbox for `passkit service push`, and says so."""
    from passkit.errors import PasskitError

    try:
        if not registry.wait_for_pushes(PUSH_WAIT):
            click.echo(
                f"pushes still under way after {PUSH_WAIT:.0f} s are left in the outbox for "
                "`passkit service push`",
                err=True,
            )
    except PasskitError as error:
        click.echo(
            f"the change is saved; its pushes wait in the outbox ({error})",
            err=True,
        )
    finally:
        registry.close()


def _registry(
    database: str | None,
    layouts: str | None,
    web_service_url: str | None,
    apple: AppleCredentials | None,
    google: GoogleCredentials | None,
    *,
    signing: bool = True,
) -> Registry:
    from passkit.service.config import ServiceConfig

    config = ServiceConfig.load(
        database_url=database,
        layouts=layouts,
        web_service_url=web_service_url,
        apple=apple,
        google=google,
        signing=signing,
    )
    return config.registry()


@click.group(name="pass")
def pass_() -> None:
    """Issue passes into the registry, change them, look at them."""


@pass_.command()
@click.argument("layout")
@click.option("--data", required=True, type=click.Path(path_type=Path), help="Record JSON.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path))
@registry_options
def issue(layout: str, data: Path, out_dir: Path, registry: Registry) -> None:
    """Issue a pass of LAYOUT (a file, or a shipped layout's name) for the record in --data.

    Writes OUT/<serial>.pkpass (and OUT/<serial>.google.txt, the save link, when Google is
    configured) and prints the serial. A LAYOUT given as a file is named by its stem; later
    commands find it with --layouts FOLDER (or PASSKIT_LAYOUTS).
    """
    from passkit.batch.file_names import output_stem
    from passkit.files import atomic_write
    from passkit.preview.sample import read_record
    from passkit.service.layouts import LayoutSet

    record = read_record(data)
    path = Path(layout)
    if path.is_file():
        # Named by its stem in its folder, where later commands find it again.
        registry.layouts = LayoutSet(path.parent)
        layout = path.stem
    issued = registry.issue(layout, record)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = output_stem(issued.serial)
    if issued.pkpass is not None:
        atomic_write(out_dir / f"{stem}.pkpass", issued.pkpass)
    if issued.google_link is not None:
        atomic_write(out_dir / f"{stem}.google.txt", f"{issued.google_link}\n".encode())
        if issued.google_skinny:
            click.echo(
                "the Google save link holds only the class and object ids (the whole pass would "
                "make a link longer than Google accepts): insert them through the REST API "
                "(passkit.google.WalletClient.upsert) before sharing the link",
                err=True,
            )
    click.echo(shown(issued.serial))


def parse_set(values: tuple[str, ...], *, option: str = "--set") -> dict[str, str]:
    """NAME=VALUE options as a mapping of text (for the layout's inputs to read)."""
    changes = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(
                f"{item!r}: write NAME=VALUE, e.g. points=1250", param_hint=option
            )
        changes[name] = value
    return changes


@pass_.command()
@click.argument("serial")
@click.option("--set", "values", multiple=True, required=True, help="NAME=VALUE (repeatable).")
@click.option("--message", help="Text to show with the change.")
@registry_options
def update(serial: str, values: tuple[str, ...], message: str | None, registry: Registry) -> None:
    """Change inputs of a pass's record. Each value is read by its input, as text in a CSV
    record is ("1250" a number, "2026-12-01" a date), and stored as that value; a value the
    input does not take is refused, and nothing is stored."""
    from passkit.layout.typed_values import typed_values
    from passkit.service.state import UnknownPass

    changes = parse_set(values)
    stored = registry.get(serial)
    if stored is None:
        raise UnknownPass(serial)
    # The layout the pass was rendered with, which the registry renders the change with.
    layout = registry.layouts.get(stored.layout, content_hash=stored.layout_hash).layout
    typed = typed_values(layout, changes, record_name=f"pass {serial}")
    changed = registry.update(serial, typed, message=message)
    click.echo(f"{shown(serial)}: {'updated' if changed else 'unchanged'}")


@pass_.command()
@click.argument("serial")
@click.argument("status", type=click.Choice([status.value for status in Status]))
@click.option("--message", help="Text to show with the change.")
@registry_options
def status(serial: str, status: str, message: str | None, registry: Registry) -> None:
    """Set a pass's status: active, redeemed, voided or expired."""
    changed = registry.set_status(serial, status, message=message)
    click.echo(f"{shown(serial)}: {status}" + ("" if changed else " (unchanged)"))


@pass_.command()
@click.argument("serial")
@registry_options
def refresh(serial: str, registry: Registry) -> None:
    """Render a pass again from its layout file as it is now."""
    from passkit.service.state import UnknownPass

    before = registry.get(serial)
    if not registry.refresh(serial):
        raise UnknownPass(serial)
    after = registry.get(serial)
    assert before is not None and after is not None
    click.echo(f"{shown(serial)}: {'refreshed' if after.tag != before.tag else 'unchanged'}")


@pass_.command()
@click.argument("serial")
@click.option("--database", help=DATABASE_HELP)
def show(serial: str, database: str | None) -> None:
    """Print what the registry holds about a pass, as JSON."""
    from passkit.service.state import UnknownPass

    stored = _registry(database, None, None, None, None, signing=False).get(serial)
    if stored is None:
        raise UnknownPass(serial)
    click.echo(shown(json.dumps(stored.summary(), indent=2, ensure_ascii=False), lines=True))


_WALLET_STATES = ("issued", "installed", "removed")


@pass_.command(name="list")
@click.option("--layout", help="Only the passes of this layout.")
@click.option(
    "--status",
    type=click.Choice([status.value for status in Status] + list(_WALLET_STATES)),
    help="Only the passes of this status, or wallet state (issued, installed, removed).",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most this many (the oldest).")
@click.option("--database", help=DATABASE_HELP)
def list_(layout: str | None, status: str | None, limit: int | None, database: str | None) -> None:
    """List the issued passes: serial, layout, status, tag, last change and wallet state."""
    registry = _registry(database, None, None, None, None, signing=False)
    for stored in registry.passes(layout=layout, status=status, limit=limit):
        click.echo(
            f"{shown(stored.serial)}\t{shown(stored.layout)}\t{stored.status.value}\t"
            f"{shown(stored.tag)}\t{stored.updated_at.isoformat()}\t{stored.wallet_state.value}"
        )


@pass_.command()
@click.option("--database", help=DATABASE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def stats(database: str | None, as_json: bool) -> None:
    """Count the passes of each layout: in all, by status and by wallet state."""
    counts = _registry(database, None, None, None, None, signing=False).counts()
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    columns = ["passes", *(status.value for status in Status), *_WALLET_STATES]
    click.echo("\t".join(["layout", *columns]))
    for layout, tally in counts.items():
        click.echo("\t".join([shown(layout), *(str(tally[name]) for name in columns)]))
