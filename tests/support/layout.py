"""Helpers for the layout tests: small layout files written on the fly."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image

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


# A loyalty card of the tests' own, for tests that read back what a built pass holds: the
# shipped layouts change as they are polished, this one only when a test needs it to.
LOYALTY_CARD = """\
kind: loyalty
organization: Lumen Coffee
description: Lumen Rewards card
serial_number: "lumen-{{ member_id }}"
inputs:
  member_id: {type: string, pattern: "[0-9]{8,12}"}
  member_name: string
  points: {type: integer, min: 0}
  tier: {type: string, default: Green}
images:
  icon: icon.png
  logo: logo.png
barcode:
  format: qr
  message: "LUMEN:{{ member_id }}"
google:
  program_logo: round.png
  image_base_url: https://static.example/lumen/
fields:
  header:
    - {key: tier, label: Tier, value: "{{ tier }}"}
  primary:
    - {key: points, label: Points, value: "{{ points }}"}
  secondary:
    - {key: member, label: Member, value: "{{ member_name }}"}
  back:
    - {key: member_id, label: Member number, value: "{{ member_id }}"}
"""


def write_loyalty_card(directory: Path, more_back_fields: str = "") -> Path:
    """LOYALTY_CARD as loyalty.yaml in `directory`, with the images it names; YAML list items
    in `more_back_fields` are added to its back fields."""
    for name, size in (("icon", (87, 87)), ("logo", (480, 150)), ("round", (660, 660))):
        Image.new("RGB", size, (43, 26, 18)).save(directory / f"{name}.png")
    more = textwrap.indent(textwrap.dedent(more_back_fields), "    ")
    return write(directory, LOYALTY_CARD + more, "loyalty.yaml")
