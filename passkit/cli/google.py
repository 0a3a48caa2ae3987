"""`passkit google`: what Google Wallet needs beside the save links, such as their class."""

from __future__ import annotations

from pathlib import Path

import click

from passkit.cli.options import google_api_url_option
from passkit.cli.text import shown


@click.group()
def google() -> None:
    """Google Wallet: publish the class the save links of a layout name."""


@google.command()
@click.argument("layout")
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    help="A record whose class to publish, for layouts whose class depends on the record (an "
    "event, a flight) [default: the layout's sample record].",
)
@click.option(
    "--google-service-account",
    help="Service account key JSON [env PASSKIT_GOOGLE_SERVICE_ACCOUNT].",
)
@click.option("--google-issuer-id", help="Google Wallet issuer id [env PASSKIT_GOOGLE_ISSUER_ID].")
@google_api_url_option(
    "The Google Wallet REST API [default: Google's]; its access tokens then come from "
    "/token on the same server."
)
def publish(
    layout: str,
    data: Path | None,
    google_service_account: str | None,
    google_issuer_id: str | None,
    google_api_url: str | None,
) -> None:
    """Publish the Google Wallet class of LAYOUT (a file or a shipped layout's name).

    The save links `passkit build` writes hold their objects and name this class, the same
    for every pass of the layout: Google must hold it for them to work. Publishing inserts
    the class, or updates it when Google holds it already, so it is safe to run again after
    changing the layout. Exit status: 0 published, 2 a usage, layout or API error.
    """
    from passkit.batch.build_plan import GoogleCredentials
    from passkit.google import WalletClient, compile_google
    from passkit.google.rest import api_endpoints
    from passkit.preview.sample import load_sample

    credentials = GoogleCredentials.resolve(
        service_account=google_service_account, issuer_id=google_issuer_id
    )
    if credentials is None:
        raise click.UsageError(
            "publishing needs a Google service account and issuer id "
            "(--google-service-account and --google-issuer-id, or PASSKIT_GOOGLE_*)"
        )
    sample = load_sample(layout, data)
    problems = sample.layout.google_problems
    if problems:
        raise problems[0]
    compiled = compile_google(
        sample.render(), issuer_id=credentials.issuer_id, options=sample.layout.google
    )
    base_url, token_url = api_endpoints(google_api_url)
    with WalletClient(credentials.account(), base_url=base_url, token_url=token_url) as client:
        client.upsert_class(compiled)
    click.echo(
        f"published {compiled.google_kind.class_schema} {shown(compiled.class_id)}: the save"
        f" links of {shown(sample.layout.name)} that name it can be opened"
    )
