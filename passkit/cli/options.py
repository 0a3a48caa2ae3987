"""Command-line options shared by several commands: signing, checking links, layout and record,
the Google Wallet API's address."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

_SIGNING_OPTIONS = (
    click.option("--apple-cert", help="Pass Type ID certificate, PEM [env PASSKIT_APPLE_CERT]."),
    click.option("--apple-key", help="Its private key, PEM [env PASSKIT_APPLE_KEY]."),
    click.option(
        "--apple-key-password",
        help="Password of an encrypted key; prefer env PASSKIT_APPLE_KEY_PASSWORD.",
    ),
    click.option(
        "--wwdr", help="Apple WWDR certificate, PEM [default: shipped G4; env PASSKIT_WWDR]."
    ),
    click.option("--apple-p12", help="Certificate and key as PKCS#12 [env PASSKIT_APPLE_P12]."),
    click.option(
        "--apple-p12-password", help="Its password; prefer env PASSKIT_APPLE_P12_PASSWORD."
    ),
    click.option(
        "--google-service-account",
        help="Service account key JSON [env PASSKIT_GOOGLE_SERVICE_ACCOUNT].",
    ),
    click.option(
        "--google-issuer-id", help="Google Wallet issuer id [env PASSKIT_GOOGLE_ISSUER_ID]."
    ),
    click.option(
        "--google-origin",
        "google_origins",
        multiple=True,
        help="Web origin allowed to show the save button (repeatable).",
    ),
)


def signing_options(command: F) -> F:
    """Add the Apple and Google signing options; the command receives `apple` and `google`."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from passkit.batch.build_plan import AppleCredentials, GoogleCredentials

        kwargs["apple"] = AppleCredentials.resolve(
            certificate=kwargs.pop("apple_cert"),
            key=kwargs.pop("apple_key"),
            key_password=kwargs.pop("apple_key_password"),
            wwdr=kwargs.pop("wwdr"),
            p12=kwargs.pop("apple_p12"),
            p12_password=kwargs.pop("apple_p12_password"),
        )
        kwargs["google"] = GoogleCredentials.resolve(
            service_account=kwargs.pop("google_service_account"),
            issuer_id=kwargs.pop("google_issuer_id"),
            origins=tuple(kwargs.pop("google_origins")),
        )
        return command(*args, **kwargs)

    decorated: Any = wrapper
    for option in reversed(_SIGNING_OPTIONS):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def sample_options(command: F) -> F:
    """Add LAYOUT (a file, or a shipped layout's name) and --data, as `load_sample` reads them."""
    with_data = click.option(
        "--data",
        type=click.Path(path_type=Path),
        help="Record JSON [default: the layout's sample record in fixtures/].",
    )(command)
    return click.argument("layout")(with_data)


_LINK_KEY_OPTIONS = (
    click.option(
        "--service-account",
        help="Check a save link's signature with this Google service-account JSON key.",
    ),
    click.option(
        "--public-key",
        help="Check a save link's signature with this RSA public key or certificate (PEM).",
    ),
)


def link_key_options(command: F) -> F:
    """Add --service-account and --public-key; the command receives `link_key`, the one given
    (the service account when both are), or None.

    Each must name an existing file. A value that does not is refused without being shown:
    it may be the key itself, pasted where its path was expected.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from passkit.secret_source import read_secret_file

        given = {"--service-account": kwargs.pop("service_account")}
        given["--public-key"] = kwargs.pop("public_key")
        paths = [
            read_secret_file(value, option, "key")[1]
            for option, value in given.items()
            if value is not None
        ]
        kwargs["link_key"] = paths[0] if paths else None
        return command(*args, **kwargs)

    decorated: Any = wrapper
    for option in reversed(_LINK_KEY_OPTIONS):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def google_api_url_option(help: str, *, checked_here: bool = True) -> Callable[[F], F]:
    """--google-api-url: the Google Wallet REST API a command sends its access tokens to.

    Checked as it is read (`checked_here`): an https:// address, or plain http:// only on this
    machine (a local stand-in); anything else is a usage error naming the option. The pass
    service's commands check it with the rest of their configuration instead, where the
    environment can give it too.
    """
    return click.option(
        "--google-api-url", help=help, callback=_google_api_url if checked_here else None
    )


def _google_api_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from passkit.web_service import https_or_loopback

    if value is None or https_or_loopback(value):
        return value
    raise click.BadParameter(
        f"{value!r}: the Google access tokens are sent there, so give an https:// address "
        "(plain http:// only on 127.0.0.1, ::1 or localhost, for a local stand-in), or leave "
        "the option out for Google's own API"
    )
