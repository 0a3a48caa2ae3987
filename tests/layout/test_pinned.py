"""The shipped layouts' bundles, pinned byte for byte.

Each shipped layout renders its fixture at a fixed moment and is signed with a fixed,
throwaway development chain (tests/layout/data/pinned, made once with `make_dev_chain`; an RSA
PKCS#1 v1.5 signature is deterministic), so the whole .pkpass is the same on every run. A change
to how passes are rendered, checked, written or signed that changes a single byte of a shipped
layout's bundle fails here: update a digest only when the change of output is meant.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from passkit.apple import build_pkpass
from passkit.apple.signing import AppleSigner
from passkit.layout import fixture_for, load_layout, shipped_layouts

KEYS = Path(__file__).parent / "data" / "pinned"
# Inside the chain's validity (2026-01-01 to 2036-01-01).
NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)

DIGESTS = {
    "boarding_pass": "00078d3fe8c8be6049cf3d46f3d6d591db2158098b3b28240c10a92c58794485",
    "coupon": "ecd61ce3e662ef48ffd0939651eb786bfe03ce8b42cf7f4a093e78823debaa82",
    "event_ticket": "e530fa85c2f011d15e45382290e8c16cd20aee29574c8eefd0f603847f5e66f2",
    "generic": "79cc7e13850cb3aeb4f21f9ef809956e00e8c6042fdb25c9b171de00d585621e",
    "gift_card": "07dc7164126ae3cadfff6853cf3251c74c7c34097216f666287301f3bc7f2fe7",
    "loyalty": "cf010ce70d6536ff60df130ae9b944b6dbbf8a70c0e83b94225b9bfb95c569ea",
    "loyalty_plus": "558910ac8a145a836880fa8dbde788b5b215c29b0ed0dd3fb650650b5e7a34be",
}


@pytest.fixture(scope="module")
def signer() -> AppleSigner:
    return AppleSigner.from_pem(
        KEYS / "pass_certificate.pem", KEYS / "pass_key.pem", wwdr=KEYS / "wwdr.pem"
    )


def bundle_digest(path: Path, signer: AppleSigner) -> str:
    record = json.loads(fixture_for(path).read_text(encoding="utf-8"))
    rendered = load_layout(path).render(record, now=NOW, record_name=fixture_for(path).name)
    return hashlib.sha256(build_pkpass(rendered, signer, now=NOW)).hexdigest()


def test_every_shipped_layout_is_pinned() -> None:
    assert sorted(DIGESTS) == sorted(path.stem for path in shipped_layouts())


@pytest.mark.parametrize("path", shipped_layouts(), ids=lambda path: path.stem)
def test_the_bundle_is_unchanged(path: Path, signer: AppleSigner) -> None:
    assert bundle_digest(path, signer) == DIGESTS[path.stem]
