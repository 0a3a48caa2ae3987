"""Where the shipped layouts and sample records live, and which layouts are complete.

They are package data, in passkit/data/layouts and passkit/data/fixtures. In a source checkout
these two are links to the repository's own layouts/ and fixtures/ folders, where designers
edit them (one copy in git); a built wheel carries copies of the files, so an installed passkit
finds them too.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from passkit.errors import LayoutError, PasskitError
from passkit.files import LAYOUT_LIMIT, read_limited

_DATA = Path(__file__).resolve().parents[1] / "data"
# Resolved, so that paths read from layouts compare with these whether or not a link is crossed.
LAYOUTS_DIR = (_DATA / "layouts").resolve()
FIXTURES_DIR = (_DATA / "fixtures").resolve()
LAYOUT_SUFFIXES = (".yaml", ".yml", ".json")


def shipped_layouts() -> list[Path]:
    """The complete layouts in `layouts/` (base layouts marked ``abstract: true`` left out)."""
    found = []
    for path in sorted(LAYOUTS_DIR.glob("*.yaml")):
        try:
            data = yaml.safe_load(read_limited(path, LAYOUT_LIMIT, "layout").decode("utf-8"))
        except (OSError, PasskitError, UnicodeDecodeError, yaml.YAMLError):
            data = None  # a broken file is still listed: loading it reports the problem
        if isinstance(data, dict) and data.get("abstract") is True:
            continue
        found.append(path)
    return found


def fixture_for(layout: Path | str) -> Path:
    """The sample record of a shipped layout: ``fixtures/<name>.json``."""
    return FIXTURES_DIR / f"{Path(layout).stem}.json"


def find_layout(given: str | Path) -> Path:
    """The layout file for a path, or for the name of a shipped layout ("loyalty").

    Every command that takes a LAYOUT argument reads it through here, so that all of them
    accept the same things.
    """
    path = Path(given)
    if path.is_file():
        return path
    if path.parent == Path("."):
        for suffix in ("", *LAYOUT_SUFFIXES):
            candidate = LAYOUTS_DIR / f"{given}{suffix}"
            if candidate.is_file():
                return candidate
    shipped = ", ".join(p.stem for p in shipped_layouts())
    raise LayoutError(
        f"no such layout file; give the path of a .yaml or .json layout, or the name of a "
        f"shipped layout ({shipped})",
        file=str(given),
    )
