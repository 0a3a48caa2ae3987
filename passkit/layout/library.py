"""Where the shipped layouts and sample records live, and which layouts are complete."""

from __future__ import annotations

from pathlib import Path

import yaml

_ROOT = Path(__file__).resolve().parents[2]
LAYOUTS_DIR = _ROOT / "layouts"
FIXTURES_DIR = _ROOT / "fixtures"


def shipped_layouts() -> list[Path]:
    """The complete layouts in `layouts/` (base layouts marked ``abstract: true`` left out)."""
    found = []
    for path in sorted(LAYOUTS_DIR.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            data = None  # a broken file is still listed: loading it reports the problem
        if isinstance(data, dict) and data.get("abstract") is True:
            continue
        found.append(path)
    return found


def fixture_for(layout: Path | str) -> Path:
    """The sample record of a shipped layout: ``fixtures/<name>.json``."""
    return FIXTURES_DIR / f"{Path(layout).stem}.json"
