"""The layout and sample record a preview is drawn from, named the way a designer names them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from passkit.errors import DataError
from passkit.files import RECORDS_LIMIT, read_limited
from passkit.jsonparse import parse_json
from passkit.layout.library import find_layout

if TYPE_CHECKING:
    from passkit.layout import Layout
    from passkit.model.pass_ import Pass


@dataclass(frozen=True)
class Sample:
    """A layout and the record a preview fills it with."""

    layout: Layout
    record: dict[str, Any]
    record_name: str

    def render(self) -> Pass:
        """The pass this record makes, at the present moment (a preview shows it as issued now)."""
        return self.layout.render(self.record, record_name=self.record_name)


def read_record(path: Path) -> dict[str, Any]:
    """One record from a JSON file: an object, or the first object of a list."""
    try:
        text = read_limited(path, RECORDS_LIMIT, "record file", DataError).decode("utf-8")
    except FileNotFoundError:
        raise DataError("file not found; check the path given to --data", input=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the record file ({exc})", input=str(path)) from None
    try:
        data = parse_json(text)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", input=str(path)
        ) from None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    if not isinstance(data, dict):
        raise DataError(
            'a record is a JSON object of input names and values, e.g. {"member_name": "Ada"}',
            input=str(path),
        )
    return data


def record_path(layout: Layout, data: Path | None) -> Path:
    """The record to draw: `data`, else the layout's sample record beside the shipped fixtures."""
    from passkit.layout import fixture_for

    if data is not None:
        return data
    fixture = fixture_for(layout.path)
    if fixture.is_file():
        return fixture
    raise DataError(
        f"layout {layout.name} has no sample record ({fixture} does not exist); give one with "
        "--data RECORD.json"
    )


def sample_of(layout: Layout, data: Path | None = None) -> Sample:
    """A loaded layout with its record: `data`, else its sample record."""
    source = record_path(layout, data)
    return Sample(layout, read_record(source), source.name)


def load_sample(layout: str | Path, data: Path | None = None) -> Sample:
    """`sample_of` the layout at a path, or of a shipped layout named like "loyalty"."""
    from passkit.layout import load_layout

    return sample_of(load_layout(find_layout(layout)), data)
