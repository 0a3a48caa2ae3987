"""Development certificates written to a folder: the files, their modes, and a README that
says what each is and that no real device or Google accepts them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from passkit.apple.signing import AppleSigner
from passkit.devcerts.chain import (
    DEFAULT_PASS_TYPE_ID,
    DEFAULT_TEAM_ID,
    P12_PASSWORD,
    DevChain,
    make_dev_chain,
)
from passkit.devcerts.issuing import KeyType
from passkit.errors import PasskitError
from passkit.files import atomic_write

WARNING = (
    "These certificates are for DEVELOPMENT only. Real iPhones and Apple Watches do NOT accept"
    " passes signed with them, and Google does NOT accept the service account."
)


@dataclass(frozen=True)
class DevCertificates:
    """Where `write_dev_certificates` put each file, and what it holds."""

    directory: Path
    root: Path
    wwdr: Path
    pass_certificate: Path
    pass_key: Path
    pass_p12: Path
    google_service_account: Path
    readme: Path
    p12_password: str
    pass_type_id: str
    team_id: str

    def signer(self) -> AppleSigner:
        return AppleSigner.from_pem(self.pass_certificate, self.pass_key, wwdr=self.wwdr)

    @property
    def files(self) -> tuple[Path, ...]:
        return (
            self.root,
            self.wwdr,
            self.pass_certificate,
            self.pass_key,
            self.pass_p12,
            self.google_service_account,
            self.readme,
        )


def _readme(chain: DevChain) -> bytes:
    return f"""\
!!! DEVELOPMENT CERTIFICATES - NOT ACCEPTED BY REAL DEVICES OR BY GOOGLE !!!

{WARNING}

These files were written by `passkit certs dev`. The root and the "WWDR" intermediate were
made on this machine; Apple did not issue them. Use them to build and verify passes in
development and in tests, never to issue passes to people.

  root.pem                     self-signed development root (verify signatures against it)
  wwdr.pem                     WWDR-like intermediate that issued the pass certificate
  pass-cert.pem                pass type certificate: UID {chain.pass_type_id}, OU {chain.team_id}
  pass-key.pem                 its private key (unencrypted)
  pass.p12                     certificate, key and intermediate; password "{P12_PASSWORD}"
  google-service-account.json  Google-style service account key (the account does not exist)

To sign with them:

  export PASSKIT_APPLE_CERT=pass-cert.pem PASSKIT_APPLE_KEY=pass-key.pem PASSKIT_WWDR=wwdr.pem

To check a signature:

  openssl cms -verify -binary -inform DER -in signature -content manifest.json \\
      -CAfile root.pem -purpose any

For real passes, use your Pass Type ID certificate from the Apple Developer portal and Apple's
WWDR G4 intermediate (passkit ships it and uses it by default).
""".encode()


def write_dev_certificates(
    directory: str | Path,
    *,
    force: bool = False,
    pass_type_id: str = DEFAULT_PASS_TYPE_ID,
    team_id: str = DEFAULT_TEAM_ID,
    valid_from: datetime | date | None = None,
    valid_until: datetime | date | None = None,
    key_type: KeyType = "rsa",
) -> DevCertificates:
    """Write a fresh development chain into `directory` (see `make_dev_chain` for the
    validity window).

    Refuses to replace existing files unless `force`; each file is written atomically and the
    private keys are readable by their owner only.
    """
    directory = Path(directory)
    result = DevCertificates(
        directory=directory,
        root=directory / "root.pem",
        wwdr=directory / "wwdr.pem",
        pass_certificate=directory / "pass-cert.pem",
        pass_key=directory / "pass-key.pem",
        pass_p12=directory / "pass.p12",
        google_service_account=directory / "google-service-account.json",
        readme=directory / "README.txt",
        p12_password=P12_PASSWORD,
        pass_type_id=pass_type_id,
        team_id=team_id,
    )
    if directory.exists() and not directory.is_dir():
        raise PasskitError(f"'{directory}' exists and is not a directory: choose another path")
    existing = [path.name for path in result.files if path.exists()]
    if existing and not force:
        raise PasskitError(
            f"'{directory}' already holds {', '.join(existing)}: choose another directory, "
            "or replace them with --force"
        )
    chain = make_dev_chain(
        pass_type_id=pass_type_id,
        team_id=team_id,
        valid_from=valid_from,
        valid_until=valid_until,
        key_type=key_type,
    )
    contents: list[tuple[Path, bytes, int]] = [
        (result.root, chain.root_pem, 0o644),
        (result.wwdr, chain.wwdr_pem, 0o644),
        (result.pass_certificate, chain.pass_certificate_pem, 0o644),
        (result.pass_key, chain.pass_key_pem, 0o600),
        (result.pass_p12, chain.pkcs12(P12_PASSWORD), 0o600),
        (result.google_service_account, chain.google_service_account_json, 0o600),
        (result.readme, _readme(chain), 0o644),
    ]
    for path, data, mode in contents:
        atomic_write(path, data, mode=mode)
    return result
