"""Helpers for the layout tests: small layout files written on the fly."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from passkit.layout import Layout, load_layout
from passkit.model import Pass

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

# The least a layout needs; tests append what they exercise.
MINIMAL = """\
kind: generic
organization: Test Org
description: Test pass
serial_number: "{{ id }}"
"""
# MINIMAL and the `id` input its serial number reads: a layout that loads as it is.
WITH_ID = MINIMAL + "inputs:\n  id: string\n"


def write(directory: Path, text: str, name: str = "layout.yaml") -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def layout(directory: Path, text: str, name: str = "layout.yaml") -> Layout:
    return load_layout(write(directory, text, name))


def with_inputs(directory: Path, inputs: str, rest: str = "", name: str = "layout.yaml") -> Layout:
    """WITH_ID plus `inputs` (YAML lines under `inputs:`), then `rest` (more top-level keys)."""
    body = WITH_ID + textwrap.indent(textwrap.dedent(inputs), "  ")
    return layout(directory, body + textwrap.dedent(rest), name)


def render(layout: Layout, record: dict[str, Any], **kwargs: Any) -> Pass:
    return layout.render(record, now=kwargs.pop("now", NOW), **kwargs)


def value(p: Pass, key: str) -> Any:
    field = p.field(key)
    assert field is not None, f"no field {key!r} in {[f.key for _, f in p.fields()]}"
    return field.value
