"""Service account keys: loading from files, JSON and the environment, and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from passkit.devcerts import DevCertificates
from passkit.environment import ENV_SERVICE_ACCOUNT
from passkit.errors import SigningError
from passkit.google import ServiceAccount
from passkit.google.credentials import DEFAULT_TOKEN_URI
from tests.support.google import account_json
from tests.support.signing import damaged_rsa_key


def write(tmp_path: Path, content: str | bytes, name: str = "sa.json") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_loads_the_development_service_account(dev_certs: DevCertificates) -> None:
    account = ServiceAccount.from_file(dev_certs.google_service_account)
    data = json.loads(dev_certs.google_service_account.read_text())
    assert account.client_email == data["client_email"]
    assert account.private_key_id == data["private_key_id"]
    assert account.token_uri == data["token_uri"]
    assert account.project_id == "passkit-dev"
    assert account.source == str(dev_certs.google_service_account)
    assert account.private_key.key_size == 2048


def test_from_json_accepts_text_bytes_and_dicts() -> None:
    data = account_json()
    for document in (json.dumps(data), json.dumps(data).encode(), data):
        account = ServiceAccount.from_json(document)
        assert account.client_email == data["client_email"]


def test_token_uri_defaults_to_google() -> None:
    data = account_json()
    del data["token_uri"]
    assert ServiceAccount.from_json(data).token_uri == DEFAULT_TOKEN_URI


def test_from_env_takes_a_path_or_the_json_itself(tmp_path: Path) -> None:
    data = account_json()
    path = write(tmp_path, json.dumps(data))
    assert ServiceAccount.from_env({ENV_SERVICE_ACCOUNT: str(path)}).source == str(path)
    inline = ServiceAccount.from_env({ENV_SERVICE_ACCOUNT: json.dumps(data)})
    assert inline.source == f"${ENV_SERVICE_ACCOUNT}"
    with pytest.raises(SigningError, match=f"{ENV_SERVICE_ACCOUNT} is not set"):
        ServiceAccount.from_env({})


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(SigningError, match=r"nope\.json: Google service account file not found"):
        ServiceAccount.from_file(tmp_path / "nope.json")


def test_not_json_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "-----BEGIN PRIVATE KEY-----\n...")
    with pytest.raises(
        SigningError, match=rf"{path}: not a Google service account key: the file is not JSON"
    ):
        ServiceAccount.from_file(path)
    with pytest.raises(SigningError, match="expected a JSON object"):
        ServiceAccount.from_file(write(tmp_path, "[1, 2]", "list.json"))


@pytest.mark.parametrize("key", ["client_email", "private_key_id", "private_key"])
def test_missing_key_is_named(tmp_path: Path, key: str) -> None:
    data = account_json()
    del data[key]
    path = write(tmp_path, json.dumps(data))
    with pytest.raises(SigningError, match=rf"{path}: the service account key has no '{key}'"):
        ServiceAccount.from_file(path)


def test_user_credentials_are_not_a_service_account(tmp_path: Path) -> None:
    data: dict[str, Any] = {"type": "authorized_user", "client_id": "x", "refresh_token": "y"}
    with pytest.raises(SigningError, match="'type' is 'authorized_user', not 'service_account'"):
        ServiceAccount.from_file(write(tmp_path, json.dumps(data)))


def test_unreadable_private_key_is_named(tmp_path: Path) -> None:
    data = account_json()
    data["private_key"] = data["private_key"][:200]
    path = write(tmp_path, json.dumps(data))
    with pytest.raises(SigningError, match=rf"{path}: 'private_key' is not a readable PEM"):
        ServiceAccount.from_file(path)


def test_non_rsa_and_small_keys_are_refused(tmp_path: Path) -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    data = account_json()
    data["private_key"] = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    with pytest.raises(SigningError, match="needs an RSA key"):
        ServiceAccount.from_json(data, source="ec.json")
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(SigningError, match="1024-bit RSA key; Google needs at least 2048"):
        ServiceAccount.from_json(account_json(small), source="small.json")


def test_a_damaged_key_is_refused_when_loaded() -> None:
    # OpenSSL's slow consistency check is skipped at loading: the account's trial signature
    # must find the damage.
    damaged = damaged_rsa_key(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    with pytest.raises(SigningError, match="'private_key' is damaged"):
        ServiceAccount.from_json(account_json(damaged), source="damaged.json")


def test_encrypted_key_is_refused() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data = account_json()
    data["private_key"] = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    ).decode()
    with pytest.raises(SigningError, match="'private_key' is encrypted"):
        ServiceAccount.from_json(data, source="enc.json")


def test_bad_token_uri_is_refused() -> None:
    data = account_json(token_uri="ftp://nowhere")
    with pytest.raises(SigningError, match="'token_uri' 'ftp://nowhere' is not an http"):
        ServiceAccount.from_json(data, source="sa.json")
