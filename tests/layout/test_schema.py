"""`passkit schema`: a JSON Schema of the layout format that editors and CI can check against."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner

from passkit.cli import cli
from passkit.layout import layout_json_schema
from tests.support.cli import passkit


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = layout_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


COMPLETE: dict[str, Any] = {
    "kind": "loyalty",
    "organization": "Org",
    "description": "Card",
    "serial_number": "{{ id }}",
    "inputs": {"id": "string", "points": {"type": "integer", "default": 0}},
    "fields": {"primary": [{"key": "points", "value": "{{ points }}"}]},
    "expiry": "{{ now }}",
    "x-anchors": {"anything": True},
}


def test_a_complete_layout_is_valid(validator: jsonschema.Draft202012Validator) -> None:
    assert list(validator.iter_errors(COMPLETE)) == []


@pytest.mark.parametrize(
    "change",
    [
        {"colour": "red"},
        {"kind": "boat"},
        {"fields": {"primary": [{"key": "a"}]}},
        {"fields": {"primary": [{"key": "a b", "value": 1}]}},
        {"max_distance": "far"},
        {"barcode": {"format": "ean13", "message": "x"}},
        {"inputs": {"id": "text"}},
    ],
)
def test_mistakes_are_caught(
    validator: jsonschema.Draft202012Validator, change: dict[str, Any]
) -> None:
    assert list(validator.iter_errors({**COMPLETE, **change}))


def test_base_layouts_need_not_be_complete(validator: jsonschema.Draft202012Validator) -> None:
    assert list(validator.iter_errors({"abstract": True, "organization": "Org"})) == []
    assert list(validator.iter_errors({"extends": "base.yaml", "description": "x"})) == []
    assert list(validator.iter_errors({"organization": "Org"}))  # neither: incomplete


def test_the_command_prints_the_schema() -> None:
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == layout_json_schema()


def test_the_command_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "layout.schema.json"
    result = CliRunner().invoke(cli, ["schema", "--out", str(target)])
    assert result.exit_code == 0 and f"wrote {target}" in result.output
    assert json.loads(target.read_text(encoding="utf-8"))["title"] == "passkit layout"


def test_the_installed_command_runs() -> None:
    result = passkit("schema")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["properties"]["kind"]
