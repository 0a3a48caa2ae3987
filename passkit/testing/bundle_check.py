"""Checking a whole Apple Wallet bundle: its manifest against its files, its signature and chain,
the signer against pass.json, Wallet's rules, its images and its translations. Every problem is
listed (`Report`), none stops the others; `VerificationError` fails a test with all of them.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID

from passkit.apple_rules import rule
from passkit.errors import BundleError
from passkit.testing.archive import Archive
from passkit.testing.certificates import CaSource, apple_wwdr, load_certificates
from passkit.testing.cms_verify import SignatureCheck, check_signature
from passkit.testing.named_rules import check_image_rules
from passkit.testing.png import png_size
from passkit.testing.rules import check_pass_json, style_of
from passkit.testing.strings import parse_strings
from passkit.testing.views import count

MANIFEST = "manifest.json"
SIGNATURE = "signature"
_SHA1_HEX = re.compile(r"^[0-9a-fA-F]{40}$")


class VerificationError(BundleError, AssertionError):
    """A bundle is not valid; the message lists every problem. Fails a test like an assert."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"{source} is not a valid pass ({count(len(problems), 'problem')}):\n{listing}"
        )


@dataclass(frozen=True)
class Report:
    """The outcome of `Bundle.check`: problems (empty when valid) and notes on what was checked."""

    problems: list[str]
    notes: list[str] = field(default_factory=list)
    signature: SignatureCheck | None = None

    @property
    def valid(self) -> bool:
        return not self.problems


def check_bundle(
    archive: Archive,
    pass_json: Mapping[str, Any],
    manifest: Mapping[str, str],
    signature: bytes | None,
    ca: CaSource | None = None,
    *,
    now: datetime | None = None,
) -> Report:
    """Verify everything; the report lists problems and notes on what was checked."""
    anchors = load_certificates(ca, "ca") if ca is not None else None
    problems = _manifest_problems(archive, manifest)
    notes: list[str] = []
    signature_check: SignatureCheck | None = None
    manifest_bytes = archive.get(MANIFEST)
    if signature is None:
        problems.append("signature: the bundle is not signed (no 'signature' file)")
    elif manifest_bytes is not None:
        signature_check = check_signature(
            signature, manifest_bytes, anchors=anchors, apple_wwdr=apple_wwdr(), now=now
        )
        problems += signature_check.problems
        notes += signature_check.notes
        if signature_check.signer is not None:
            try:
                problems += _identity_problems(pass_json, signature_check.signer)
            except ValueError as exc:  # a subject that cryptography cannot read
                problems.append(f"signature: the signing certificate is malformed ({exc})")
    problems += check_pass_json(pass_json)
    problems += _content_problems(archive, style_of(pass_json))
    return Report(problems, notes, signature_check)


def _manifest_problems(archive: Archive, manifest: Mapping[str, str]) -> list[str]:
    if MANIFEST not in archive:
        return ["manifest.json: missing; every bundle lists its files' SHA-1 hashes in it"]
    problems = [
        f"{name!r} is a directory entry; a pass bundle holds only files, each listed in"
        " manifest.json (zip the bundle's files, not its folder)"
        for name in archive.directories
    ]
    for name in archive:
        if name in (MANIFEST, SIGNATURE):
            continue
        if name not in manifest:
            problems.append(f"manifest.json: {name!r} is in the bundle but not in the manifest")
            continue
        expected = manifest[name]
        actual = hashlib.sha1(archive[name], usedforsecurity=False).hexdigest()
        if not _SHA1_HEX.match(expected):
            problems.append(f"manifest.json: the hash of {name!r} is not a SHA-1 hex digest")
        elif not hmac.compare_digest(expected.lower(), actual):
            problems.append(
                f"manifest.json: {name!r} has SHA-1 {actual}, but the manifest says {expected} "
                "(the file was changed after the manifest was made)"
            )
    for name in manifest:
        if name not in archive:
            problems.append(f"manifest.json: lists {name!r}, which is not in the bundle")
    return problems


def _identity_problems(pass_json: Mapping[str, Any], signer: x509.Certificate) -> list[str]:
    problems = []
    for key, oid, part in (
        ("passTypeIdentifier", NameOID.USER_ID, "UID"),
        ("teamIdentifier", NameOID.ORGANIZATIONAL_UNIT_NAME, "OU"),
    ):
        values = [str(a.value) for a in signer.subject.get_attributes_for_oid(oid)]
        expected = values[0] if values else None
        actual = pass_json.get(key)
        if expected is None:
            problems.append(
                f"signature: the signing certificate has no {part}; it is not a Pass Type ID "
                "certificate"
            )
        elif actual != expected:
            problems.append(
                f"pass.json: {key} {actual!r} differs from the signing certificate's "
                f"{part} {expected!r}; Wallet refuses such a pass"
            )
    return problems


def _content_problems(archive: Archive, style: str | None) -> list[str]:
    problems = []
    # The icon may be localised: then it sits in the language folders instead.
    if not any(name.rpartition("/")[2] == "icon.png" for name in archive):
        problems.append(rule("apple.images.icon").problem(file=None, where="icon.png"))
    problems += check_image_rules(archive, style)
    for name in archive:
        base = name.rpartition("/")[2]
        try:
            if base.endswith(".png"):
                png_size(archive[name], name)
            elif base.endswith(".strings"):
                parse_strings(archive[name], name)
        except BundleError as exc:
            problems.append(str(exc))
    return problems
