"""A wrong layout fails with the file, the line, the field path and what is expected."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from passkit.errors import LayoutError
from passkit.layout import load_layout
from tests.support.layout import MINIMAL, WITH_ID, write

BASE = WITH_ID  # 6 lines; what a test adds starts on line 7


def fails(tmp_path: Path, text: str, name: str = "layout.yaml") -> LayoutError:
    path = write(tmp_path, text, name)
    with pytest.raises(LayoutError) as caught:
        load_layout(path)
    error = caught.value
    # the message itself starts with file:line: field: so a person sees all three
    if error.line is not None and error.field is not None:
        assert str(error).startswith(f"{path}:{error.line}: {error.field}: ")
    return error


@pytest.mark.parametrize(
    ("addition", "line", "field", "words"),
    [
        ("max_distance: far\n", 7, "max_distance", "expected a number or a {{ template }}"),
        ("kind: boat\n", 1, "kind", "Input should be 'loyalty'"),
        ("colors:\n  background: bluish\n", 8, "colors.background", "expected a colour"),
        (
            "fields:\n  primary:\n    - key: a\n      value: 1\n      lable: A\n",
            11,
            "fields.primary[0].lable",
            "unknown key 'lable'; did you mean 'label'?",
        ),
        ("colour: red\n", 7, "colour", "did you mean 'colors'?"),
        (
            "fields:\n  primary:\n    - key: 'a b'\n      value: 1\n",
            9,
            "fields.primary[0].key",
            "pattern",
        ),
        ("fields:\n  primary:\n    - value: 1\n", 9, "fields.primary[0].key", "required"),
        ("fields:\n  primary: {key: a}\n", 8, "fields.primary", "valid list"),
        ("locations:\n  - latitude: 200\n    longitude: 0\n", 8, "locations[0].latitude", "90"),
        (
            "beacons:\n  - proximity_uuid: not-a-uuid\n",
            8,
            "beacons[0].proximity_uuid",
            "not a UUID",
        ),
        ("status: lost\n", 7, "status", "one of active, redeemed, expired, voided"),
        ("title: 12\n", 7, "title", "expected text (in quotes)"),
        ("time_zone: Mars/Base\n", 7, "time_zone", "not a known time zone"),
        ("language: English\n", 7, "language", "not a language tag"),
        ("sharing_prohibited: maybe\n", 7, "sharing_prohibited", "true or false"),
        (
            "fields:\n  primary:\n    - {key: a, value: 1}\n  back:\n    - {key: a, value: 2}\n",
            11,
            "fields.back[0].key",
            "already used by fields.primary[0]",
        ),
        ("nfc:\n  message: " + "x" * 70 + "\n", 8, "nfc.message", "64 bytes"),
        ("web_service:\n  url: ftp://x\n  authentication_token: short\n", 8, "web_service.url", ""),
        (
            "web_service:\n  url: http://passes.example.com/v1\n"
            "  authentication_token: 0123456789abcdef\n",
            8,
            "web_service.url",
            "is http://, which sends the authentication token unencrypted: use https://",
        ),
        (
            "web_service:\n  url: https://passes.example.com/v1\n  authentication_token: short\n",
            9,
            "web_service.authentication_token",
            "the authentication token is 5 characters long; Apple Wallet needs at least 16",
        ),
        ("google:\n  image_base_url: static.example\n", 8, "google.image_base_url", "pattern"),
        (
            "google:\n  card_rows: [[points]]\n",
            8,
            "google.card_rows[0][0]",
            "no field has the key 'points'",
        ),
        ("inputs:\n  id: {type: list, items: list}\n", 8, "inputs.id", "list of lists"),
    ],
)
def test_wrong_values(tmp_path: Path, addition: str, line: int, field: str, words: str) -> None:
    if addition.startswith("kind:"):
        text = BASE.replace("kind: generic\n", addition)
    elif addition.startswith("inputs:"):
        text = MINIMAL + addition
        line -= 2
    else:
        text = BASE + addition
    error = fails(tmp_path, text)
    assert (error.line, error.field) == (line, field), str(error)
    assert words in str(error)


@pytest.mark.parametrize(
    ("name", "item", "limit"),
    [
        ("locations", "  - {latitude: 48.85, longitude: 2.35}\n", 10),
        ("beacons", "  - {proximity_uuid: E2C56DB5-DFFB-48D2-B060-D0F5A71096E0}\n", 10),
    ],
)
def test_fixed_lists_over_the_limit_fail_at_load_with_the_line(
    tmp_path: Path, name: str, item: str, limit: int
) -> None:
    # The eleventh item is on line 7 (the list's key) + 11.
    error = fails(tmp_path, BASE + f"{name}:\n" + item * (limit + 1))
    assert (error.line, error.field) == (7 + limit + 1, f"{name}[{limit}]"), str(error)
    assert f"at most {limit}" in str(error) and f"would hold {limit + 1}" in str(error)
    # Items shown under a condition may be more: only the records decide.
    guarded = item.replace("}", ", when: '{{ id }}'}")
    load_layout(write(tmp_path, BASE + f"{name}:\n" + item * limit + guarded * 3))


def test_bad_template_syntax(tmp_path: Path) -> None:
    error = fails(tmp_path, BASE + "fields:\n  primary:\n    - key: a\n      value: '{{ id + }}'\n")
    assert (error.line, error.field) == (10, "fields.primary[0].value")
    assert "template syntax error" in str(error)
    error = fails(tmp_path, BASE + "title: '{% if id %}open'\n")
    assert error.line == 7 and "template syntax error" in str(error) and "endif" in str(error)


def test_undefined_variable(tmp_path: Path) -> None:
    error = fails(tmp_path, BASE + "logo_text: '{{ idd | upper }}'\n")
    assert (error.line, error.field) == (7, "logo_text")
    assert "uses 'idd', which is not an input; did you mean 'id'?" in str(error)
    error = fails(tmp_path, BASE.replace('"{{ id }}"', '"{{ id }}-{{ barcode_value }}"'))
    assert error.field == "serial_number" and "not known yet" in str(error)


def test_missing_and_broken_images(tmp_path: Path) -> None:
    error = fails(tmp_path, BASE + "images:\n  icon: art/missing.png\n")
    assert (error.line, error.field) == (8, "images.icon") and "image file not found" in str(error)
    (tmp_path / "notes.png").write_text("not an image")
    error = fails(tmp_path, BASE + "images:\n  logo: notes.png\n")
    assert error.field == "images.logo" and "not an image that can be read" in str(error)
    Image.new("RGB", (10, 10)).save(tmp_path.parent / f"{tmp_path.name}-outside.png")
    error = fails(
        tmp_path,
        BASE
        + f"images:\n  icon: ../{tmp_path.name}-outside.png\n"
        + "google:\n  image_base_url: https://cdn.example/\n",
    )
    assert error.field == "images.icon" and "outside the layout's folder" in str(error)


def test_missing_required_keys(tmp_path: Path) -> None:
    error = fails(tmp_path, "kind: generic\norganization: X\ndescription: Y\n")
    assert error.field == "serial_number" and "required, but missing" in str(error)
    assert error.file is not None and error.file.endswith("layout.yaml")


def test_several_problems_are_listed(tmp_path: Path) -> None:
    error = fails(tmp_path, "kind: generic\norganization: 3\n")
    assert "also" in str(error)
    assert re.search(r"description \(line 1\): required", str(error))
    assert "organization (line 2): expected text" in str(error)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("kind: generic\n  bad indent: [\n", 2, "invalid YAML"),
        ("kind: generic\nkind: loyalty\n", 2, "appears twice (first on line 1)"),
        ("- just\n- a list\n", 1, "not a list"),
        ("", None, "empty"),
    ],
)
def test_yaml_problems(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    error = fails(tmp_path, text)
    assert error.line == line and words in str(error)


def test_json_syntax_error(tmp_path: Path) -> None:
    error = fails(tmp_path, '{\n  "kind": "generic",\n  "organization": "X",,\n}\n', "l.json")
    assert error.line == 3 and "invalid JSON" in str(error)


def test_json_layouts_report_lines_too(tmp_path: Path) -> None:
    error = fails(
        tmp_path,
        '{\n  "kind": "generic",\n  "organization": "X",\n  "description": "Y",\n'
        '  "serial_number": "1",\n  "colors": {"label": 5}\n}\n',
        "l.json",
    )
    assert (error.line, error.field) == (6, "colors.label")


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LayoutError, match="layout file not found"):
        load_layout(tmp_path / "nope.yaml")


def test_yaml_stays_plain(tmp_path: Path) -> None:
    # 'no', 'on' and numbers with leading zeros stay text; '<<' merges anchors
    layout = load_layout(
        write(
            tmp_path,
            BASE
            + "x-defaults: &label {label: Answer}\n"
            + "fields:\n  primary:\n"
            + "    - {<<: *label, key: a, value: no}\n"
            + "    - {key: b, value: 007}\n"
            + "    - {<<: *label, key: c, value: on, label: Override}\n",
        )
    )
    p = layout.render({"id": "1"})
    assert [(f.label, f.value) for f in p.primary] == [
        ("Answer", "no"),
        (None, "007"),
        ("Override", "on"),
    ]
