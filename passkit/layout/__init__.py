"""Declarative layouts: a YAML or JSON file that says what a pass looks like and where each
piece of per-pass data goes. `load_layout` reads and prepares one; `Layout.render(record)` makes
a `Pass` from one record.
"""

from __future__ import annotations

from typing import Any

from passkit.layout.input_decl import InputType
from passkit.layout.inputs import InputSpec
from passkit.layout.json_schema import json_schema
from passkit.layout.layout import Layout
from passkit.layout.library import (
    FIXTURES_DIR,
    LAYOUTS_DIR,
    find_layout,
    fixture_for,
    shipped_layouts,
)
from passkit.layout.loader import load_layout


def layout_json_schema() -> dict[str, Any]:
    """The JSON Schema of the layout file format (what `passkit schema` prints)."""
    return json_schema()


__all__ = [
    "FIXTURES_DIR",
    "LAYOUTS_DIR",
    "InputSpec",
    "InputType",
    "Layout",
    "find_layout",
    "fixture_for",
    "layout_json_schema",
    "load_layout",
    "shipped_layouts",
]
