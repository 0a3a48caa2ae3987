"""Templates are sandboxed: no Python internals, no changing data, no files, no imports."""

from __future__ import annotations

from pathlib import Path

import pytest

from passkit.errors import DataError, LayoutError
from passkit.layout import Layout
from tests.support.layout import render, with_inputs


def with_value(tmp_path: Path, template: str) -> Layout:
    """A layout whose one field shows `template`; the template's line is line 13."""
    return with_inputs(
        tmp_path,
        "name: {type: string, default: Ann}\n"
        + "key: {type: string, default: __class__}\n"
        + "tags: {type: list, default: [1]}\n",
        "fields:\n  primary:\n    - key: x\n      value: '" + template.replace("'", "''") + "'\n",
    )


@pytest.mark.parametrize(
    "template",
    [
        "{{ name.__class__ }}",
        "{{ name.__class__.__mro__[1].__subclasses__() }}",
        "{{ name['__class__'] }}",
        "{{ now.__class__.__init__.__globals__ }}",
        "{{ range.__globals__ }}",
        "{{ name._private }}",
    ],
)
def test_internals_are_refused_when_the_layout_loads(tmp_path: Path, template: str) -> None:
    with pytest.raises(LayoutError) as caught:
        with_value(tmp_path, template)
    assert caught.value.line == 13 and caught.value.field == "fields.primary[0].value"
    assert "Python internals" in str(caught.value)


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{{ name[key] }}", "unsafe"),  # the attribute name comes from the record
        ("{{ name | attr(key) }}", "unsafe"),
        ("{{ '{0.__class__}'.format(name) }}", "unsafe"),
        ("{{ tags.append(2) }}", "unsafe"),  # records cannot be changed
        ("{{ range(10**9) | list }}", "Range too big"),
    ],
)
def test_internals_reached_at_render_are_refused(tmp_path: Path, template: str, words: str) -> None:
    loaded = with_value(tmp_path, template)
    with pytest.raises(DataError) as caught:
        render(loaded, {"id": "1"})
    assert words in str(caught.value)
    assert "fields.primary[0].value" in str(caught.value)


@pytest.mark.parametrize(
    "template",
    [
        "{% include '/etc/passwd' %}",
        "{% import 'macros.html' as m %}{{ m }}",
        "{% from 'x' import y %}{{ y }}",
        "{% extends '/etc/passwd' %}",
        "{% macro m() %}x{% endmacro %}{{ m() }}",
        "{{ self }}",
    ],
)
def test_files_imports_and_macros_are_refused(tmp_path: Path, template: str) -> None:
    with pytest.raises(LayoutError) as caught:
        with_value(tmp_path, template)
    assert caught.value.field == "fields.primary[0].value"


@pytest.mark.parametrize(
    "template",
    [
        "{{ __import__('os').system('true') }}",
        "{{ open('/etc/passwd').read() }}",
        "{{ lipsum() }}",
        "{{ cycler(1) }}",
        "{{ namespace() }}",
        "{{ config }}",
    ],
)
def test_python_builtins_and_jinja_helpers_are_not_there(tmp_path: Path, template: str) -> None:
    with pytest.raises(LayoutError, match="not an input"):
        with_value(tmp_path, template)


def test_what_stays_allowed(tmp_path: Path) -> None:
    loaded = with_inputs(
        tmp_path,
        "names: {type: list, items: string}\n",
        """\
        fields:
          primary:
            - key: x
              value: "{% for n in names | sort %}{{ loop.index }}.{{ n | upper }} {% endfor %}"
            - key: y
              value: "{{ dict(a=1)['a'] + range(3) | sum }}"
        """,
    )
    p = render(loaded, {"id": "1", "names": ["bo", "al"]})
    assert p.field("x") is not None and p.field("x").value == "1.AL 2.BO "  # type: ignore[union-attr]
    assert p.field("y") is not None and p.field("y").value == 4  # type: ignore[union-attr]
