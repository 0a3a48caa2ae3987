"""Layouts that extend others: mappings merge, lists and values replace, null removes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from passkit.colors import Color
from passkit.errors import LayoutError
from passkit.layout import load_layout
from tests.support.layout import NOW, value, write

BRAND = """\
abstract: true
organization: Brand Co
language: en
colors:
  background: "#102030"
  foreground: white
images:
  icon: art/icon.png
inputs:
  id: string
  tier: {type: string, default: Silver, description: Tier of the member}
fields:
  back:
    - {key: terms, label: Terms, value: Brand terms}
    - {key: help, label: Help, value: brand.example/help}
barcode:
  message: "{{ id }}"
"""

CARD = """\
extends: base/brand.yaml
kind: loyalty
description: Brand card
serial_number: "card-{{ id }}"
inputs:
  points: integer
fields:
  primary:
    - {key: points, label: Points, value: "{{ points }}"}
"""

CAMPAIGN = """\
extends: card.yaml
name: summer
colors:
  background: "#ff8800"       # only this colour changes
inputs:
  tier: {default: Gold}       # merges into the base declaration
fields:
  back:                       # replaces the whole list
    - {key: summer, label: Summer, value: Double points all summer}
barcode: null                 # removes the inherited barcode
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "base" / "art").mkdir(parents=True)
    Image.new("RGB", (60, 60), (1, 2, 3)).save(tmp_path / "base" / "art" / "icon.png")
    write(tmp_path, BRAND, "base/brand.yaml")
    write(tmp_path, CARD, "card.yaml")
    write(tmp_path, CAMPAIGN, "campaign.yaml")
    return tmp_path


def test_one_level(tree: Path) -> None:
    card = load_layout(tree / "card.yaml")
    p = card.render({"id": "7", "points": 10}, now=NOW)
    assert card.name == "card"  # a base's settings apply, never its name or abstractness
    assert p.organization == "Brand Co" and p.serial_number == "card-7"
    assert p.background_color == Color(16, 32, 48) and p.foreground_color == Color(255, 255, 255)
    assert [f.key for f in p.back] == ["terms", "help"]
    assert p.barcode is not None and p.barcode.message == "7"
    assert set(card.inputs) == {"id", "tier", "points"}
    # images are relative to the file that names them
    assert p.images.icon is not None and p.images.icon.name.endswith("base/art/icon.png")


def test_two_levels_with_overrides(tree: Path) -> None:
    campaign = load_layout(tree / "campaign.yaml")
    p = campaign.render({"id": "7", "points": 10}, now=NOW)
    assert campaign.name == "summer"
    assert p.background_color == Color(255, 136, 0)
    assert p.foreground_color == Color(255, 255, 255)  # merged, not replaced
    assert [f.key for f in p.back] == ["summer"]
    assert value(p, "points") == 10
    assert p.barcode is None
    tier = campaign.inputs["tier"]
    assert tier.default == "Gold" and tier.description == "Tier of the member"
    assert campaign.sources[:3] == (
        tree / "campaign.yaml",
        tree / "card.yaml",
        tree / "base" / "brand.yaml",
    )
    assert tree / "base" / "art" / "icon.png" in campaign.sources


def test_a_json_layout_can_extend_a_yaml_one(tree: Path) -> None:
    (tree / "offer.json").write_text(
        json.dumps({"extends": "card.yaml", "description": "JSON card"}), encoding="utf-8"
    )
    p = load_layout(tree / "offer.json").render({"id": "1", "points": 2}, now=NOW)
    assert p.description == "JSON card" and p.organization == "Brand Co"


def test_a_base_layout_is_not_loaded_alone(tree: Path) -> None:
    with pytest.raises(LayoutError, match="base layout") as caught:
        load_layout(tree / "base" / "brand.yaml")
    assert caught.value.line == 1 and caught.value.field == "abstract"


def test_errors_in_a_base_point_at_the_base_file(tree: Path) -> None:
    write(tree, BRAND.replace("foreground: white", "foreground: whiteish"), "base/brand.yaml")
    with pytest.raises(LayoutError) as caught:
        load_layout(tree / "campaign.yaml")
    error = caught.value
    assert error.file is not None and error.file.endswith("base/brand.yaml")
    assert error.line == 6 and error.field == "colors.foreground"
    assert "colour" in str(error)


def test_an_unknown_variable_in_a_base_points_at_the_base(tree: Path) -> None:
    write(tree, BRAND.replace('"{{ id }}"', '"{{ idd }}"'), "base/brand.yaml")
    with pytest.raises(LayoutError, match="did you mean 'id'") as caught:
        load_layout(tree / "card.yaml")
    assert caught.value.file.endswith("brand.yaml") and caught.value.line == 17  # type: ignore[union-attr]


def test_cycles_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "extends: b.yaml\nkind: generic\n", "a.yaml")
    write(tmp_path, "description: x\nextends: c.yaml\n", "b.yaml")
    write(tmp_path, "extends: a.yaml\n", "c.yaml")
    with pytest.raises(LayoutError, match=r"cycle \(a.yaml -> b.yaml -> c.yaml -> a.yaml\)") as e:
        load_layout(tmp_path / "a.yaml")
    assert e.value.file is not None and e.value.file.endswith("c.yaml") and e.value.line == 1
    write(tmp_path, "kind: generic\nextends: self.yaml\n", "self.yaml")
    with pytest.raises(LayoutError, match="cycle") as e:
        load_layout(tmp_path / "self.yaml")
    assert e.value.line == 2 and e.value.field == "extends"


def test_a_missing_base_is_reported_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "kind: generic\n\nextends: base/nowhere.yaml\n", "a.yaml")
    with pytest.raises(LayoutError, match=r"nowhere\.yaml does not exist") as caught:
        load_layout(tmp_path / "a.yaml")
    assert caught.value.line == 3 and caught.value.field == "extends"
    write(tmp_path, "extends: [a, b]\n", "b.yaml")
    with pytest.raises(LayoutError, match="expected the path of a base layout"):
        load_layout(tmp_path / "b.yaml")
