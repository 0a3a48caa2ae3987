"""Session fixtures shared by every test module: throwaway development certificates."""

from __future__ import annotations

import pytest

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates, write_dev_certificates


@pytest.fixture(scope="session")
def dev_certs(tmp_path_factory: pytest.TempPathFactory) -> DevCertificates:
    """Development certificates (root, WWDR-like intermediate, pass cert and key, p12, Google
    service account JSON) written once per test session."""
    return write_dev_certificates(tmp_path_factory.mktemp("dev-certs"))


@pytest.fixture(scope="session")
def dev_signer(dev_certs: DevCertificates) -> AppleSigner:
    """An AppleSigner for the development pass certificate."""
    return dev_certs.signer()
