"""The wheel carries the shipped layouts, their images and their sample records, and an
installed passkit (not a source checkout) finds them: `passkit demo` and `passkit_layout(name)`
depend on it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from passkit.layout import FIXTURES_DIR, LAYOUTS_DIR, fixture_for, load_layout, shipped_layouts

ROOT = Path(__file__).resolve().parents[2]
# What a build reads: the package (whose data/ links to layouts/ and fixtures/) and its metadata.
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "passkit", "layouts", "fixtures")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built, offline, from a copy of the checkout (the build writes into its source)."""
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name,
                source / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    result = subprocess.run(
        [*command, "--no-index", "--quiet", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("passkit-*.whl")
    return built


def packaged(path: Path) -> str:
    """Where a file of layouts/ or fixtures/ stands in the wheel."""
    if path.is_relative_to(LAYOUTS_DIR):
        return f"passkit/data/layouts/{path.relative_to(LAYOUTS_DIR).as_posix()}"
    return f"passkit/data/fixtures/{path.relative_to(FIXTURES_DIR).as_posix()}"


def test_the_wheel_holds_every_shipped_layout_image_and_fixture(wheel: Path) -> None:
    expected: set[Path] = set(LAYOUTS_DIR.rglob("*.png"))
    for path in shipped_layouts():
        expected.add(fixture_for(path))
        expected.update(source.resolve() for source in load_layout(path).sources)
    assert len(expected) > len(shipped_layouts()) * 2  # layouts, their bases, images, fixtures
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        missing = sorted(packaged(path) for path in expected if packaged(path) not in names)
        assert missing == []
        for path in expected:
            assert archive.read(packaged(path)) == path.read_bytes(), path
    # Files, not code: the script that drew the images stays in the repository.
    assert not [n for n in names if n.startswith("passkit/data/") and n.endswith(".py")]


def test_an_installed_passkit_finds_its_layouts_and_fixtures(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    probe = """
import json, sys
import passkit
from passkit.layout import FIXTURES_DIR, LAYOUTS_DIR, fixture_for, load_layout, shipped_layouts
found = {}
for path in shipped_layouts():
    record = json.loads(fixture_for(path).read_text(encoding="utf-8"))
    found[path.stem] = load_layout(path).render(record).serial_number
print(json.dumps({"package": passkit.__file__, "layouts": str(LAYOUTS_DIR), "found": found}))
"""
    # From another folder, with the unpacked wheel first on the path: not this checkout.
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert Path(report["package"]).is_relative_to(site)
    assert Path(report["layouts"]) == site / "passkit" / "data" / "layouts"
    assert sorted(report["found"]) == sorted(path.stem for path in shipped_layouts())
    assert all(report["found"].values())


def test_the_wheel_holds_the_link_page_template(wheel: Path) -> None:
    templates = ROOT / "passkit" / "service" / "templates"
    expected = {f"passkit/service/templates/{p.name}" for p in templates.glob("*.html")}
    assert expected
    with zipfile.ZipFile(wheel) as archive:
        assert expected <= set(archive.namelist())
