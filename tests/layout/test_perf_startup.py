"""What a fresh process pays to load a layout: only what the layout needs.

babel is imported by the filters that format numbers and dates, when first called; the
`Template` type gives pydantic a schema of its own (made once, not once per templated field);
images that decoded once are not decoded (and pillow not loaded) again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from passkit.environment import ENV_CACHE_DIR
from passkit.errors import LayoutError
from passkit.layout import LAYOUTS_DIR, fixture_for, load_layout
from tests.support.apple import drawn_image

RENDER = """
import json, sys
from datetime import UTC, datetime
from passkit.layout import load_layout
layout = load_layout(sys.argv[1])
layout.render(json.load(open(sys.argv[2])), now=datetime(2026, 3, 1, tzinfo=UTC))
print(json.dumps("babel" in sys.modules))
"""


def babel_imported(name: str) -> bool:
    path = LAYOUTS_DIR / f"{name}.yaml"
    result = subprocess.run(
        [sys.executable, "-c", RENDER, str(path), str(fixture_for(path))],
        capture_output=True,
        text=True,
        check=True,
    )
    imported: bool = json.loads(result.stdout)
    return imported


def test_a_layout_without_formatting_filters_does_not_import_babel() -> None:
    assert not babel_imported("loyalty")


def test_a_formatting_filter_imports_babel_when_it_runs() -> None:
    assert babel_imported("gift_card")  # {{ balance | money }}


@pytest.mark.parametrize("name", ["loyalty", "boarding_pass"])
def test_a_template_in_a_dumped_spec_is_its_fields(name: str) -> None:
    spec = load_layout(LAYOUTS_DIR / f"{name}.yaml").spec
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydantic warns about the unions around templates
        dumped = spec.model_dump()
        as_json = json.loads(spec.model_dump_json())
    serial = spec.serial_number
    assert dumped["serial_number"] == {
        "source": serial.source,
        "native": serial.native,
        "expression": serial.expression,
        "variables": serial.variables,
        "where": serial.where,
        "_compiled": None,
    }
    assert sorted(as_json["serial_number"]["variables"]) == sorted(serial.variables)


def test_pydantic_takes_a_template_as_it_is() -> None:
    from pydantic import TypeAdapter, ValidationError

    from passkit.layout.templating import Template, compile_template

    adapter = TypeAdapter(Template)
    template = compile_template("{{ x }}")
    assert adapter.validate_python(template) is template
    with pytest.raises(ValidationError):
        adapter.validate_python("{{ x }}")


LOAD = """
import sys
from passkit.layout import load_layout
load_layout(sys.argv[1])
print("PIL.Image" in sys.modules)
"""


def pillow_loaded(layout: Path, cache: str) -> bool:
    env = {**os.environ, ENV_CACHE_DIR: cache}
    done = subprocess.run(
        [sys.executable, "-c", LOAD, str(layout)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return {"True": True, "False": False}[done.stdout.strip()]


def test_images_that_decoded_once_are_not_decoded_again(tmp_path: Path) -> None:
    layout = LAYOUTS_DIR / "loyalty.yaml"
    cache = str(tmp_path / "cache")
    assert pillow_loaded(layout, cache)
    assert not pillow_loaded(layout, cache)
    assert pillow_loaded(layout, "off")
    assert pillow_loaded(layout, "off")


def test_a_image_that_does_not_decode_is_refused_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path / "cache"))
    whole = tmp_path / "whole.png"
    drawn_image((200, 200)).save(whole)
    # A PNG cut short: pillow reads its header, and fails only when decoding the pixels.
    (tmp_path / "icon.png").write_bytes(whole.read_bytes()[:400])
    layout = tmp_path / "cut.yaml"
    layout.write_text(
        "kind: generic\ndescription: d\norganization: o\nserial_number: s\n"
        "images:\n  icon: icon.png\n"
    )
    for _ in range(2):
        with pytest.raises(LayoutError, match=r"images\.icon") as caught:
            load_layout(layout)
        assert "not an image that can be read" in str(caught.value)
