"""Every shipped layout loads and renders its fixture record into a valid pass."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from passkit.layout import FIXTURES_DIR, LAYOUTS_DIR, load_layout, shipped_layouts
from passkit.model import Pass

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
LAYOUTS = shipped_layouts()


def test_shipped_layouts_are_listed_without_base_files() -> None:
    names = {path.stem for path in LAYOUTS}
    assert "loyalty" in names
    assert all(path.parent == LAYOUTS_DIR for path in LAYOUTS)
    assert not any(path.parent.name == "base" for path in LAYOUTS)


@pytest.mark.parametrize("path", LAYOUTS, ids=[p.stem for p in LAYOUTS])
def test_shipped_layout_renders_its_fixture(path: Path) -> None:
    layout = load_layout(path)
    record = json.loads((FIXTURES_DIR / f"{path.stem}.json").read_text(encoding="utf-8"))
    rendered = layout.render(record, now=NOW, record_name=f"{path.stem}.json")
    assert isinstance(rendered, Pass)
    assert rendered.kind is layout.kind
    assert rendered.serial_number
    assert rendered.pass_type_id is None and rendered.team_id is None
    assert rendered.images.icon is not None
    # Google needs hosted pictures: every image carries its URL under the layout's base URL.
    for _, image in rendered.images.items():
        assert image.url is not None
        assert image.url.startswith("https://static.passkit.example/layouts/images/")
    assert path in layout.sources
    assert all(source.exists() for source in layout.sources)
