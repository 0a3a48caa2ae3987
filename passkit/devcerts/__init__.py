"""Throwaway development certificates: a fake Apple chain and a fake Google service account.

They let the demo, the tests and a new user sign real, verifiable passes without an Apple or
Google account. Real devices and Google reject them: the root is made here, not by Apple, and the
service account does not exist. Every name says so.

The modules: `chain` (the development Apple chain and service account, in memory), `folder`
(written to a folder, with a README), `tls` (a TLS chain for local test servers) and `issuing`
(the keys and X.509 certificates all of them are made of). Users import every name from here.
"""

from passkit.devcerts.chain import (
    DEFAULT_PASS_TYPE_ID,
    DEFAULT_TEAM_ID,
    DEFAULT_YEARS,
    P12_PASSWORD,
    ROOT_NAME,
    SERVICE_ACCOUNT_EMAIL,
    WWDR_NAME,
    DevChain,
    make_dev_chain,
    validity_window,
)
from passkit.devcerts.folder import WARNING, DevCertificates, write_dev_certificates
from passkit.devcerts.issuing import ORGANIZATION, KeyType, PrivateKey
from passkit.devcerts.tls import TlsServerChain, make_tls_server_chain

__all__ = [
    "DEFAULT_PASS_TYPE_ID",
    "DEFAULT_TEAM_ID",
    "DEFAULT_YEARS",
    "ORGANIZATION",
    "P12_PASSWORD",
    "ROOT_NAME",
    "SERVICE_ACCOUNT_EMAIL",
    "WARNING",
    "WWDR_NAME",
    "DevCertificates",
    "DevChain",
    "KeyType",
    "PrivateKey",
    "TlsServerChain",
    "make_dev_chain",
    "make_tls_server_chain",
    "validity_window",
    "write_dev_certificates",
]
