"""Session fixtures shared by every test module: throwaway development certificates."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime

import pytest

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates, write_dev_certificates
from passkit.google import ServiceAccount, WalletClient
from passkit.testing import GoogleStandIn
from tests.support.apple import signing_clock
from tests.support.google import make_account

# A registry pushes its changes to APNs by default; here only the tests that ask for it do
# (against a local stand-in), so that no test ever reaches Apple.
os.environ["PASSKIT_PUSH"] = "off"


@pytest.fixture(scope="session", autouse=True)
def image_store_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Prepared images are stored on disk between processes (passkit.apple.image_store):
    the tests' go to a folder of this session, never to the user's cache. XDG_CACHE_HOME
    too, for the tests that run passkit without any PASSKIT_* variable."""
    saved = {name: os.environ.get(name) for name in ("PASSKIT_CACHE_DIR", "XDG_CACHE_HOME")}
    folder = tmp_path_factory.mktemp("cache")
    os.environ["PASSKIT_CACHE_DIR"] = str(folder / "passkit")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(scope="session")
def dev_certs(tmp_path_factory: pytest.TempPathFactory) -> DevCertificates:
    """Development certificates (root, WWDR-like intermediate, pass cert and key, p12, Google
    service account JSON) written once per test session."""
    return write_dev_certificates(tmp_path_factory.mktemp("dev-certs"))


@pytest.fixture(scope="session")
def dev_signer(dev_certs: DevCertificates) -> AppleSigner:
    """An AppleSigner for the development pass certificate."""
    return dev_certs.signer()


@pytest.fixture
def now(dev_signer: AppleSigner) -> datetime:
    """A fixed signing time at which the development certificates are valid."""
    return signing_clock(dev_signer)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No PASSKIT_* variable set: what a command does with its options alone (but
    PASSKIT_PUSH, which keeps registries from pushing to Apple)."""
    for name in list(os.environ):
        if name.startswith("PASSKIT_") and name != "PASSKIT_PUSH":
            monkeypatch.delenv(name)
    yield


@pytest.fixture(scope="session")
def postgres() -> Iterator[object]:
    """A PostgreSQL server of this test session (skips when PostgreSQL is not installed)."""
    from tests.service.support import postgres_server

    with postgres_server() as server:
        if isinstance(server, str):
            pytest.skip(server)
        yield server


@pytest.fixture
def google(dev_certs: DevCertificates) -> Iterator[GoogleStandIn]:
    """The public Google stand-in, accepting the tests' throwaway account (tests.support.google,
    the first) and the development one (`dev_certs.google_service_account`)."""
    dev_account = ServiceAccount.from_file(dev_certs.google_service_account)
    with GoogleStandIn(accounts=[make_account(), dev_account]) as stand_in:
        yield stand_in


@pytest.fixture
def google_client(google: GoogleStandIn) -> Iterator[WalletClient]:
    """A WalletClient for the `google` stand-in."""
    with google.client() as client:
        yield client
