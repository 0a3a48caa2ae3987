"""Templates that would exhaust the machine stop at the sandbox's bounds with a LayoutError
naming the field: huge numbers, repeated texts and lists, nested loops, endless output, format
widths. Reasonable templates, loops included, are untouched.

The hostile templates are rendered in a child process with a memory cap and a time limit, so
that a regression fails the test instead of taking the machine down.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from passkit.errors import LayoutError
from tests.hostile.support import run_capped
from tests.support.layout import render, with_inputs

HOSTILE = {
    "power": "{{ 10 ** 100000000 }}",
    "tower of powers": "{{ 99 ** 99 ** 99 }}",
    "product": "{{ points * 10 ** 300 * 10 ** 300 * 10 ** 300 * 10 ** 300 }}",
    "repeated text": "{{ 'x' * 1000000000 }}",
    "repeated list": "{{ (['x'] * 1000000000) | length }}",
    "repeated twice": "{{ (('x' * 60000) ~ 'y') * 3 }}",
    "joined": "{{ ('x' * 90000) ~ ('x' * 90000) }}",
    "nested loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
    "{% endfor %}",
    "loop of long values": "{% for i in range(100000) %}{{ 'y' * 90000 }}{% endfor %}",
    "loop of literal text": "{% for i in range(90000) %}" + "0123456789" * 200 + "{% endfor %}",
    "percent width": "{{ '%999999999d' % 1 }}",
    "percent star": "{{ '%*d' % (999999999, 1) }}",
    "format filter": "{{ '%999999999d' | format(1) }}",
    "brace width": "{{ '{:>999999999}'.format(1) }}",
    "nested brace width": "{{ '{:>{}}'.format(1, 999999999) }}",
    "brace repeats": "{{ ('{0}' * 30000).format('x' * 90000) }}",
    "percent repeats": "{{ ('%s' * 30000) % (('x' * 90000,) * 30000) }}",
    "center": "{{ 'x' | center(999999999) }}",
    "indent": "{{ ('a\\n' * 50000) | indent(100000) }}",
    "method padding": "{{ 'x'.ljust(999999999) }}",
    "replace": "{{ ('x' * 90000) | replace('x', 'x' * 90000) }}",
    "join": "{{ range(100000) | join(',') }}",
    "batch fill": "{{ [1] | batch(999999999, 'x') | list | length }}",
    "pad": "{{ 'x' | pad(999999999) }}",
    "mask": "{{ ('x' * 90000) | mask(0, 'x' * 90000) }}",
    "group": "{{ ('x' * 90000) | group(1, 'x' * 90000) }}",
}

CHILD = """
import json, sys, time
sys.path[:0] = [sys.argv[1]]
from tests.hostile.support import run_capped
from tests.support.layout import render, with_inputs
from pathlib import Path
from passkit.errors import PasskitError
template = sys.argv[3]
layout = with_inputs(
    Path(sys.argv[2]),
    "points: integer\\n",
    "fields:\\n  primary:\\n    - key: x\\n      value: " + json.dumps(template) + "\\n",
)
started = time.monotonic()
try:
    render(layout, {"id": "1", "points": 3})
except Exception as exc:
    answer = {"type": type(exc).__name__, "message": str(exc)}
else:
    answer = {"type": None, "message": ""}
answer["seconds"] = time.monotonic() - started
print(json.dumps(answer))
"""


@pytest.mark.parametrize("template", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_hostile_template_stops_at_a_bound(tmp_path: Path, template: str) -> None:
    root = str(Path(__file__).resolve().parents[2])  # where the child imports tests.* from
    answer = run_capped(CHILD, root, str(tmp_path), template, what="the template")
    assert answer["type"] == "LayoutError", answer
    assert "fields.primary[0].value" in answer["message"], answer
    assert "simplify the template" in answer["message"]
    assert answer["seconds"] < 10, answer


def test_the_limit_names_the_field_in_process(tmp_path: Path) -> None:
    layout = with_inputs(
        tmp_path,
        "points: integer\n",
        textwrap.dedent(
            """\
            fields:
              primary:
                - {key: ok, value: "{{ points }}"}
              back:
                - {key: terms, value: "{{ 'x' * (points * 1000000) }}"}
            """
        ),
    )
    with pytest.raises(LayoutError) as error:
        render(layout, {"id": "1", "points": 3}, record_name="members.jsonl line 4")
    assert error.value.field is not None and "fields.back[0].value" in error.value.field
    assert "members.jsonl line 4" in str(error.value)
    assert "100000" in str(error.value)


def test_reasonable_templates_with_loops_still_render(tmp_path: Path) -> None:
    layout = with_inputs(
        tmp_path,
        "names: {type: list, items: string}\npoints: integer\n",
        textwrap.dedent(
            """\
            fields:
              primary:
                - {key: big, value: "{{ 'yes' if 2 ** 200 > 10 ** 60 else 'no' }}"}
              back:
                - {key: list, value: "{% for n in names %}{{ loop.index }}. {{ n }}\\n{% endfor %}"}
                - key: table
                  value: "{% for i in range(200) %}{% for j in range(20) %}.{% endfor %}{%endfor%}"
                - key: pad
                  value: "{{ points | pad(12) }} {{ '%08.2f' % 3.5 }} {{ '{:>10}'.format('a') }}"
                - {key: long, value: "{{ 'terms. ' * 5000 }}"}
                - {key: format, value: "{{ '{} pts'.format(points * 100000000) }}"}
            """
        ),
    )
    started = time.monotonic()
    p = render(layout, {"id": "1", "names": ["Ada", "Grace"], "points": 42})
    assert time.monotonic() - started < 5
    assert p.field("big").value == "yes"  # type: ignore[union-attr]
    assert p.field("list").value == "1. Ada\n2. Grace\n"  # type: ignore[union-attr]
    assert p.field("table").value == "." * 4000  # type: ignore[union-attr]
    assert p.field("pad").value == "000000000042 00003.50          a"  # type: ignore[union-attr]
    assert len(p.field("long").value) == 35000  # type: ignore[union-attr]
    assert p.field("format").value == "4200000000 pts"  # type: ignore[union-attr]
