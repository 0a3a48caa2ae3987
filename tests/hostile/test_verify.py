"""A verifier is at least as strict as the device: a directory entry, or any member that the
manifest does not list, makes a bundle invalid for `Bundle.verify`, `passkit verify` and
`passkit inspect` (which shows it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from passkit.apple.signing import AppleSigner
from passkit.devcerts import DevCertificates
from passkit.testing import VerificationError, open_pkpass
from tests.support.cli import passkit
from tests.support.testing import SIGNING_TIME, default_files, manifest_for, zip_bytes


def bundle_with(signer: AppleSigner, extra: list[tuple[str, bytes]]) -> bytes:
    files = default_files(signer.pass_type_id, signer.team_id)
    manifest = manifest_for(files)
    signature = signer.sign(manifest, signing_time=SIGNING_TIME)
    entries = [*extra, *files.items(), ("manifest.json", manifest), ("signature", signature)]
    return zip_bytes(entries)


def test_a_directory_entry_is_reported(dev_signer: AppleSigner, dev_certs: DevCertificates) -> None:
    bundle = open_pkpass(bundle_with(dev_signer, [("en.lproj/", b"")]))
    problems = bundle.verify(dev_certs.root, now=SIGNING_TIME)
    assert problems == [
        "'en.lproj/' is a directory entry; a pass bundle holds only files, each listed in"
        " manifest.json (zip the bundle's files, not its folder)"
    ]
    assert bundle.directories == ["en.lproj/"]
    with pytest.raises(VerificationError, match="directory entry"):
        bundle.assert_valid(dev_certs.root, now=SIGNING_TIME)


def test_an_unlisted_member_in_a_folder_is_reported(
    dev_signer: AppleSigner, dev_certs: DevCertificates
) -> None:
    bundle = open_pkpass(bundle_with(dev_signer, [("en.lproj/pass.strings", b'"a" = "b";')]))
    assert bundle.verify(dev_certs.root, now=SIGNING_TIME) == [
        "manifest.json: 'en.lproj/pass.strings' is in the bundle but not in the manifest"
    ]


def test_the_commands_report_and_show_a_directory_entry(
    dev_signer: AppleSigner, dev_certs: DevCertificates, tmp_path: Path
) -> None:
    path = tmp_path / "with-folder.pkpass"
    path.write_bytes(bundle_with(dev_signer, [("images/", b"")]))
    verified = passkit("verify", path, "--ca", dev_certs.root)
    assert verified.returncode == 1
    assert "'images/' is a directory entry" in verified.stdout
    shown = passkit("inspect", path)
    assert shown.returncode == 0
    assert "images/" in shown.stdout and "directory entry" in shown.stdout
