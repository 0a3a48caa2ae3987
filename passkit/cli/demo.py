"""`passkit demo`: every shipped layout, built with its sample record and dev certificates."""

from __future__ import annotations

from pathlib import Path

import click

from passkit.batch.build_plan import AppleCredentials, BuildPlan, GoogleCredentials
from passkit.batch.builder import Builder
from passkit.batch.records import read_records
from passkit.cli.text import shown
from passkit.google.publish import needs_class_notice

# Any numeric id works for development links; Google accepts none but its own issuers' ids.
DEMO_ISSUER_ID = "3388000000022000000"


@click.command()
@click.argument("directory", type=click.Path(path_type=Path), default=Path("out"))
def demo(directory: Path) -> None:
    """Build a pass of every shipped layout into DIRECTORY [default: ./out].

    Development certificates are made in DIRECTORY/certs on the first run and reused after.
    Their passes verify against DIRECTORY/certs/root.pem but no real device accepts them.
    """
    from passkit.devcerts.folder import write_dev_certificates
    from passkit.layout import fixture_for, shipped_layouts

    certs_dir = directory / "certs"
    if (certs_dir / "pass-cert.pem").exists():
        click.echo(f"using the development certificates in {shown(certs_dir)}")
    else:
        write_dev_certificates(certs_dir)
        click.echo(
            f"wrote development certificates to {shown(certs_dir)} (not accepted by real devices)"
        )
    apple = AppleCredentials.resolve(
        certificate=str(certs_dir / "pass-cert.pem"),
        key=str(certs_dir / "pass-key.pem"),
        wwdr=str(certs_dir / "wwdr.pem"),
        environ={},
    )
    google = GoogleCredentials.resolve(
        service_account=str(certs_dir / "google-service-account.json"),
        issuer_id=DEMO_ISSUER_ID,
        environ={},
    )
    written: list[Path] = []
    classes: set[str] = set()
    links = 0
    for layout_path in shipped_layouts():
        plan = BuildPlan(layout=layout_path, apple=apple, google=google, out_dir=directory)
        builder = Builder(plan)
        for record in read_records(fixture_for(layout_path)):
            result = builder.build(record)
            if not result.ok:
                raise click.ClickException(f"{layout_path.name}: {result.error}")
            written.extend(result.files)
            if result.google_class is not None:
                links += 1
                classes.add(result.google_class)
            click.echo(f"{layout_path.stem:<22} " + "  ".join(p.name for p in result.files))
    click.echo(f"\nwrote {len(written)} files to {shown(directory)}/")
    example = next((p for p in written if p.suffix == ".pkpass"), None)
    if example is not None:
        click.echo(f"check one: passkit verify {example} --ca {certs_dir / 'root.pem'}")
    if links:
        click.echo(
            "\nnote: "
            + needs_class_notice("LAYOUT", classes, links)
            + "; these are signed with the development service account, which Google does not "
            "know, so they only show what a link holds (passkit inspect)"
        )
