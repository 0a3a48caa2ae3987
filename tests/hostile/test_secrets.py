"""A key, password or service account put where passkit expects a file or PEM/JSON text: the
message names the variable or option and what is wrong, and never shows the value."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from passkit.apple.signing import AppleSigner
from passkit.batch.build_plan import AppleCredentials, GoogleCredentials
from passkit.devcerts import DevCertificates
from passkit.errors import SigningError
from passkit.google import ServiceAccount
from tests.support.cli import passkit

PASSWORD = "Tr0ub4dor&3-horse-battery"


def key_body(certs: DevCertificates) -> str:
    """The base64 body of the development key, without its BEGIN/END lines: a secret."""
    lines = certs.pass_key.read_text().strip().splitlines()
    return "".join(line for line in lines if not line.startswith("-----"))


def pieces(secret: str) -> list[str]:
    """Substrings of the secret long enough to betray it if they appear in a message."""
    return [secret[i : i + 12] for i in range(0, max(1, len(secret) - 12), 6)]


def assert_not_shown(secret: str, text: str) -> None:
    leaked = [piece for piece in pieces(secret) if piece in text]
    assert not leaked, f"the message shows the secret: {text!r}"


@pytest.mark.parametrize(
    ("variable", "origin"),
    [
        ("PASSKIT_APPLE_KEY", "PASSKIT_APPLE_KEY"),
        ("PASSKIT_APPLE_CERT", "PASSKIT_APPLE_CERT"),
        ("PASSKIT_WWDR", "PASSKIT_WWDR"),
    ],
)
def test_signer_from_env_never_shows_a_misplaced_secret(
    dev_certs: DevCertificates, variable: str, origin: str
) -> None:
    env = {
        "PASSKIT_APPLE_CERT": str(dev_certs.pass_certificate),
        "PASSKIT_APPLE_KEY": str(dev_certs.pass_key),
        "PASSKIT_WWDR": str(dev_certs.wwdr),
    }
    for secret in (key_body(dev_certs), PASSWORD):
        env[variable] = secret
        with pytest.raises(SigningError) as error:
            AppleSigner.from_env(env)
        message = str(error.value)
        assert origin in message and "not shown" in message
        assert_not_shown(secret, message)


def test_p12_variable_holding_a_password(dev_certs: DevCertificates) -> None:
    with pytest.raises(SigningError) as error:
        AppleSigner.from_env({"PASSKIT_APPLE_P12": PASSWORD})
    assert "PASSKIT_APPLE_P12 holds neither" in str(error.value)
    assert_not_shown(PASSWORD, str(error.value))


def test_plan_names_the_option_or_the_variable(dev_certs: DevCertificates) -> None:
    body = key_body(dev_certs)
    with pytest.raises(SigningError) as error:
        AppleCredentials.resolve(certificate=str(dev_certs.pass_certificate), key=body, environ={})
    assert str(error.value).startswith("--apple-key holds neither PEM text")
    assert_not_shown(body, str(error.value))
    env = {"PASSKIT_APPLE_CERT": str(dev_certs.pass_certificate), "PASSKIT_APPLE_KEY": body}
    with pytest.raises(SigningError) as error:
        AppleCredentials.resolve(environ=env)
    assert str(error.value).startswith("PASSKIT_APPLE_KEY holds neither PEM text")
    assert_not_shown(body, str(error.value))


def test_service_account_variable_holding_the_key(dev_certs: DevCertificates) -> None:
    body = key_body(dev_certs)
    env = {"PASSKIT_GOOGLE_SERVICE_ACCOUNT": body, "PASSKIT_GOOGLE_ISSUER_ID": "3388000000022"}
    with pytest.raises(SigningError) as error:
        GoogleCredentials.resolve(environ=env)
    assert "PASSKIT_GOOGLE_SERVICE_ACCOUNT holds neither JSON text" in str(error.value)
    assert_not_shown(body, str(error.value))
    with pytest.raises(SigningError) as error:
        ServiceAccount.from_env({"PASSKIT_GOOGLE_SERVICE_ACCOUNT": body})
    assert_not_shown(body, str(error.value))


def test_existing_files_are_still_named(dev_certs: DevCertificates, tmp_path: Path) -> None:
    folder = tmp_path / "certs"
    folder.mkdir()
    with pytest.raises(SigningError, match="PASSKIT_APPLE_KEY names a folder"):
        AppleSigner.from_env(
            {
                "PASSKIT_APPLE_CERT": str(dev_certs.pass_certificate),
                "PASSKIT_APPLE_KEY": str(folder),
            }
        )


@pytest.mark.parametrize(
    ("option", "value_of"),
    [
        ("--apple-key", lambda certs: key_body(certs)),
        ("--apple-cert", lambda certs: PASSWORD),
        ("--google-service-account", lambda certs: key_body(certs)),
    ],
)
def test_build_command_never_prints_the_secret(
    dev_certs: DevCertificates, tmp_path: Path, option: str, value_of: object
) -> None:
    secret = value_of(dev_certs)  # type: ignore[operator]
    arguments = {
        "--apple-cert": str(dev_certs.pass_certificate),
        "--apple-key": str(dev_certs.pass_key),
        "--google-issuer-id": "3388000000022",
        "--google-service-account": str(dev_certs.google_service_account),
    }
    arguments[option] = secret
    flat = [part for pair in arguments.items() for part in pair]
    data = Path(__file__).parents[2] / "fixtures" / "loyalty.json"
    result = passkit("build", "loyalty", "--data", data, "--out", tmp_path / "out", *flat)
    assert result.returncode == 2
    assert option in result.stderr and "not shown" in result.stderr
    assert "Traceback" not in result.stderr
    assert_not_shown(secret, result.stdout + result.stderr)
    assert re.search(r"^error: ", result.stderr, re.MULTILINE)
    assert not os.path.exists(tmp_path / "out" / "lumen-4012883310.pkpass")


def test_loaded_credentials_do_not_show_their_bytes(dev_certs: DevCertificates) -> None:
    credentials = AppleCredentials.resolve(
        certificate=str(dev_certs.pass_certificate), key=str(dev_certs.pass_key), environ={}
    )
    assert_not_shown(key_body(dev_certs), repr(credentials))


@pytest.mark.parametrize("option", ["--service-account", "--public-key"])
def test_link_key_options_never_print_a_pasted_key(
    dev_certs: DevCertificates, tmp_path: Path, option: str
) -> None:
    body = key_body(dev_certs)
    link = tmp_path / "card.google.txt"
    link.write_text("https://pay.google.com/gp/v/save/a.b.c\n")
    for command in ("verify", "inspect"):
        result = passkit(command, link, option, body)
        assert result.returncode == 2
        assert f"{option} does not name an existing file" in result.stderr
        assert_not_shown(body, result.stdout + result.stderr)
