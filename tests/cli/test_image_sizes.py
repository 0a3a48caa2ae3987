"""`passkit lint` and `passkit inspect` show each image's bytes and what optimising saved."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

from passkit.apple import AppleSigner, build_pkpass
from passkit.layout import load_layout
from passkit.layout.library import fixture_for
from tests.support.cli import passkit

IMAGE_LINE = re.compile(r"^  (\S+\.png) +([\d,]+) bytes  saved +([\d,-]+) \(")


def images(output: str) -> dict[str, tuple[int, int]]:
    """{file: (bytes, saved)} from the image lines of lint's or inspect's output."""
    found = {}
    for line in output.splitlines():
        match = IMAGE_LINE.match(line)
        if match:
            name, size, saved = match.groups()
            found[name] = (int(size.replace(",", "")), int(saved.replace(",", "")))
    return found


def test_lint_and_inspect_agree_on_what_optimising_saved(
    tmp_path: Path, dev_signer: AppleSigner, now: datetime
) -> None:
    layout = Path("layouts/loyalty.yaml")
    record = json.loads(fixture_for(layout).read_text(encoding="utf-8"))
    bundle = tmp_path / "loyalty.pkpass"
    bundle.write_bytes(build_pkpass(load_layout(layout).render(record), dev_signer, now=now))

    linted = passkit("lint", layout)
    assert linted.returncode in (0, 1), linted.stderr
    inspected = passkit("inspect", bundle)
    assert inspected.returncode == 0, inspected.stderr
    from_lint, from_inspect = images(linted.stdout), images(inspected.stdout)
    assert "strip@3x.png" in from_lint and "fr.lproj/logo@2x.png" in from_lint
    assert from_lint == from_inspect
    # The bytes are those in the bundle, each smaller than the plain PNG of its pixels.
    with zipfile.ZipFile(bundle) as archive:
        in_bundle = {i.filename: i.file_size for i in archive.infolist()}
    assert {name: size for name, (size, _) in from_lint.items()} == {
        name: size for name, size in in_bundle.items() if name.endswith(".png")
    }
    assert all(saved > 0 for _, saved in from_lint.values())
    assert "images: 12 files" in linted.stdout


def test_lint_still_warns_when_the_apple_bundle_cannot_be_made(tmp_path: Path) -> None:
    shutil.copytree("layouts", tmp_path, dirs_exist_ok=True)
    layout = tmp_path / "thumbnail.yaml"
    layout.write_text(
        "extends: loyalty.yaml\nimages:\n  thumbnail: images/lumen/icon.png\n", encoding="utf-8"
    )
    linted = passkit("lint", layout, "--data", fixture_for("loyalty"))
    assert linted.returncode == 1, linted.stderr
    assert "(image-not-shown) [apple.images.role]" in linted.stdout
    assert "images: not listed, the Apple bundle cannot be made (images.thumbnail" in (
        linted.stdout
    )
