"""The `passkit` command line.

Each command lives in its own module and is imported only when it runs, so that `passkit
--help` and quick commands do not pay for importing every wallet, the preview and the server.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import sys
from typing import Any

import click

from passkit.cli.text import shown
from passkit.errors import PasskitError, rule_behind
from passkit.gc_tuning import freeze_before_exit, made_for_good

# command name -> (module, attribute, one-line help shown by `passkit --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "build": ("passkit.cli.build", "build", "Build passes from a layout and records."),
    "demo": (
        "passkit.cli.demo",
        "demo",
        "Build every shipped layout with dev certificates.",
    ),
    "verify": (
        "passkit.cli.verify",
        "verify",
        "Check a .pkpass: zip, manifest, signature, rules.",
    ),
    "inspect": ("passkit.cli.inspect", "inspect", "Show what a .pkpass bundle or save link holds."),
    "certs": ("passkit.cli.certs", "certs", "Make throwaway development certificates."),
    "schema": ("passkit.cli.schema", "schema", "Print the JSON Schema of the layout format."),
    "preview": ("passkit.cli.preview", "preview", "Draw a pass as Apple and Google would show it."),
    "serve": ("passkit.cli.serve", "serve", "Live preview of layouts in the browser."),
    "lint": ("passkit.cli.lint", "lint", "Warn about what will look wrong in a layout."),
    "google": ("passkit.cli.google", "google", "Publish the Google class a layout's links name."),
    "pass": ("passkit.cli.passes", "pass_", "Issue passes into the registry and change them."),
    "service": ("passkit.cli.service", "service", "Migrate and run the pass web service."),
    "link": ("passkit.cli.links", "link", "Make issuance links to passes of a layout."),
    "distribute": (
        "passkit.cli.distribute",
        "distribute",
        "Issue a pass per recipient, with its link and QR code.",
    ),
}


class LazyGroup(click.Group):
    # Set by `run`: the process is the passkit program's own (see `freeze_for_good`).
    freeze_imports = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name, (module, _, _) in COMMANDS.items() if _module_exists(module)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None or not _module_exists(entry[0]):
            return None
        if self.freeze_imports:
            # Nothing the import makes is garbage: not collected while it is made, and frozen.
            with made_for_good():
                module = importlib.import_module(entry[0])
        else:
            module = importlib.import_module(entry[0])
        command = getattr(module, entry[1])
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _module_exists(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@click.group(cls=LazyGroup)
@click.option("--debug", is_flag=True, help="Show the full traceback of an error.")
@click.version_option(package_name="passkit")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """passkit: Apple Wallet and Google Wallet passes from declarative layouts."""
    ctx.obj = {"debug": debug}


def run() -> None:
    """The `passkit` program: `main` in a process of its own, which it ends without delay."""
    cli.freeze_imports = True
    try:
        main()
    finally:
        freeze_before_exit()


def main(argv: list[str] | None = None) -> Any:
    """Run the command line; a PasskitError is printed as one line and exits with status 2."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        return cli.main(args=argv, prog_name="passkit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        shown_text = io.StringIO()
        exc.show(file=shown_text)  # then escaped: the message may quote what was typed
        click.echo(shown(shown_text.getvalue(), lines=True), err=True, nl=False)
        sys.exit(2 if exc.exit_code == 1 else exc.exit_code)
    except PasskitError as exc:
        if debug:
            raise
        rule = rule_behind(exc)
        named = f" [{rule}]" if rule else ""
        click.echo(f"error: {shown(exc, lines=True)}{named}", err=True)
        sys.exit(2)
    except OSError as exc:
        # The file system refused (disk full, permission denied, read-only output): say which
        # file and why in one line; atomic writes have already removed their temporary files.
        if debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"error: {shown(where)}{shown(exc.strerror or exc)}", err=True)
        sys.exit(2)
