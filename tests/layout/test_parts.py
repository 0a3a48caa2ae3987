"""The table of pass parts (passkit/layout/parts.py) agrees with the layout format and the model.

A key added to a part's `...Spec` but not to its row, or named in the row but missing from the
pass model, fails here rather than when some layout first uses it.
"""

from __future__ import annotations

import typing
from pathlib import Path

import pytest

from passkit.errors import LayoutError
from passkit.layout import load_layout
from passkit.layout.layout_spec import LayoutSpec
from passkit.layout.parts import PARTS, WHEN, Part
from passkit.model import Pass


def _rows() -> list[tuple[str, Part]]:
    rows: list[tuple[str, Part]] = []

    def walk(where: str, part: Part) -> None:
        rows.append((where, part))
        for key, inner in part.parts.items():
            walk(f"{where}.{key}", inner)

    for name, part in PARTS.items():
        walk(name, part)
    return rows


def _classes(annotation: object) -> set[object]:
    found = {annotation}
    for argument in typing.get_args(annotation):
        found |= _classes(argument)
    return found


@pytest.mark.parametrize(("name", "part"), list(PARTS.items()), ids=list(PARTS))
def test_each_part_is_an_attribute_of_the_layout_and_of_the_pass(name: str, part: Part) -> None:
    assert part.spec in _classes(LayoutSpec.model_fields[name].annotation)
    assert part.model in _classes(Pass.model_fields[name].annotation)


@pytest.mark.parametrize(("where", "part"), _rows(), ids=[where for where, _ in _rows()])
def test_every_key_of_a_part_is_in_its_row_once_and_in_the_model(where: str, part: Part) -> None:
    keys = [key for key in part.spec.model_fields if key != WHEN]
    named = [*part.templates, *part.moments, *part.constants, *part.parts]
    assert sorted(named) == sorted(keys), f"{where}: the row and the spec name other keys"
    for key in keys:
        assert key in part.model.model_fields, f"{where}: the model has no {key!r}"
    for key, inner in part.parts.items():
        assert inner.spec in _classes(part.spec.model_fields[key].annotation)


def _layout(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "part.yaml"
    path.write_text(
        "kind: generic\nserial_number: '{{ n }}'\norganization: Example\n"
        "description: A pass\ninputs:\n  n: {type: string}\n" + body
    )
    return path


def test_a_template_key_of_a_part_is_filled_per_record(tmp_path: Path) -> None:
    layout = load_layout(
        _layout(
            tmp_path,
            "locations:\n  - latitude: 1.5\n    longitude: 2\n    relevant_text: 'Near {{ n }}'\n"
            "messages:\n  - header: Hi\n    body: 'For {{ n }}'\n  - key: own\n"
            "    header: Yo\n    body: Two\n",
        )
    )
    pass_ = layout.render({"n": "42"})
    assert [(loc.latitude, loc.relevant_text) for loc in pass_.locations] == [(1.5, "Near 42")]
    assert [(m.key, m.body) for m in pass_.messages] == [("message-1", "For 42"), ("own", "Two")]


def test_a_constant_part_is_checked_when_the_layout_loads_with_its_line(tmp_path: Path) -> None:
    path = _layout(tmp_path, "locations:\n  - latitude: 91\n    longitude: 2\n")
    with pytest.raises(LayoutError) as caught:
        load_layout(path)
    assert f"{path}:8" in str(caught.value)
    assert "latitude" in str(caught.value)
