"""`passkit verify`: check a .pkpass: zip safety, manifest, signature and chain, pass.json rules."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from passkit.cli.options import link_key_options
from passkit.cli.text import shown
from passkit.errors import PasskitError, SignatureMismatch
from passkit.testing.certificates import load_certificates
from passkit.testing.pkpass import Bundle
from passkit.testing.targets import open_target
from passkit.testing.views import count


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE.pkpass...")
@click.option(
    "--ca",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Root certificate (PEM or DER) the signature must chain to, e.g. the development "
    "root.pem. Without it the chain is checked up to Apple's WWDR G4 intermediate.",
)
@link_key_options
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, nothing for valid files.")
def verify(
    files: tuple[str, ...],
    ca: Path | None,
    link_key: Path | None,
    quiet: bool,
) -> None:
    """Check .pkpass bundles (or save links) and print every problem found.

    Exit status: 0 when every file is valid, 1 when some have problems (a save link signed with
    another key than --service-account/--public-key is one), 2 when a file cannot be read at
    all (not a zip, unsafe archive, unreadable JSON).
    """
    anchors = load_certificates(ca, "--ca") if ca is not None else None
    status = 0
    for target in files:
        try:
            opened = open_target(target, public_key=link_key)
        except SignatureMismatch as exc:
            # Read, but signed with another key (or changed): a problem, not unreadable.
            status = max(status, 1)
            invalid = click.style("INVALID", fg="red", bold=True)
            click.echo(f"{shown(target)}: {invalid} (1 problem)")
            click.echo(f"  - {shown(exc, lines=True)}")
            continue
        except PasskitError as exc:
            click.echo(f"error: {shown(exc, lines=True)}", err=True)
            status = 2
            continue
        if isinstance(opened, Bundle):
            report = opened.check(anchors)
            problems, notes = report.problems, report.notes
            summary = _bundle_summary(opened, report.signature)
        else:
            problems, notes = opened.problems(), []
            summary = f"save link of {', '.join(str(o.id) for o in opened.all_objects)}"
        if problems:
            status = max(status, 1)
            invalid = click.style("INVALID", fg="red", bold=True)
            click.echo(f"{shown(target)}: {invalid} ({count(len(problems), 'problem')})")
            for problem in problems:
                click.echo(f"  - {shown(problem, lines=True)}")
        elif not quiet:
            click.echo(
                f"{shown(target)}: {click.style('valid', fg='green', bold=True)} ({shown(summary)})"
            )
        if not quiet:
            for note in notes:
                click.echo(f"  note: {shown(note, lines=True)}")
    if status:
        sys.exit(status)


def _bundle_summary(bundle: Bundle, signature: object) -> str:
    from passkit.testing.cms_verify import SignatureCheck

    parts = [f"{bundle.style} {bundle.serial_number!r}"]
    if isinstance(signature, SignatureCheck) and signature.signing_time is not None:
        parts.append(f"signed {signature.signing_time:%Y-%m-%d %H:%M:%S}Z")
    if isinstance(signature, SignatureCheck) and signature.chain:
        from cryptography.x509.oid import NameOID

        names = []
        for cert in signature.chain:
            common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
            names.append(str(common[0].value) if common else cert.subject.rfc4514_string())
        parts.append("chain: " + " < ".join(names))
    return ", ".join(parts)
