"""Where the shipped layouts and sample records live, and which layouts are complete.

They are package data, in passkit/data/layouts and passkit/data/fixtures. In a source checkout
these two are links to the repository's own layouts/ and fixtures/ folders, where designers
edit them (one copy in git); a built wheel carries copies of the files, so an installed passkit
finds them too.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from passkit.errors import PasskitError
from passkit.files import LAYOUT_LIMIT, read_limited

_DATA = Path(__file__).resolve().parents[1] / "data"
# Resolved, so that paths read from layouts compare with these whether or not a link is crossed.
LAYOUTS_DIR = (_DATA / "layouts").resolve()
FIXTURES_DIR = (_DATA / "fixtures").resolve()


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
