"""The development signing files of a benchmark run, as the benchmark's scripts load them.

`passkit certs dev DIR` writes them; run.py hands DIR to each script it starts.
"""

from __future__ import annotations

from pathlib import Path

from passkit.batch import AppleCredentials


def apple_credentials(certs: Path) -> AppleCredentials:
    """The pass certificate, key and WWDR of `certs`, ignoring any PASSKIT_* variable."""
    return AppleCredentials.resolve(
        certificate=str(certs / "pass-cert.pem"),
        key=str(certs / "pass-key.pem"),
        wwdr=str(certs / "wwdr.pem"),
        environ={},
    )
