"""Layout files built to exhaust their reader: aliases that multiply ("billion laughs"), whole
numbers longer than Python reads, nesting deeper than the parser's recursion. Each is a
LayoutError naming the file, at once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.hostile.support import run_capped

CHILD = """
import json, sys
from passkit.layout import load_layout
try:
    load_layout(sys.argv[1])
except Exception as exc:
    print(json.dumps({"type": type(exc).__name__, "message": str(exc)}))
else:
    print(json.dumps({"type": None, "message": ""}))
"""

START = 'kind: generic\norganization: X\ndescription: d\nserial_number: "s1"\n'
FIELDS = 'fields:\n  primary:\n    - {key: n, value: "x"}\n'


def laughs() -> str:
    lines = ["user_info:", '  a: &a ["x","x","x","x","x","x","x","x","x"]']
    for previous, name in zip("abcdefg", "bcdefgh", strict=True):
        lines.append(f"  {name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return START + "\n".join(lines) + "\n" + FIELDS


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("laughs.yaml", laughs(), "expand to more than 100000 values"),
        ("digits.yaml", START + "user_info: {n: " + "9" * 5000 + "}\n" + FIELDS, "4300 digits"),
        ("digits.json", '{"kind": "generic", "n": ' + "9" * 5000 + "}", "4300 digits"),
        ("deep.json", '{"kind": "generic", "n": ' + "[" * 100000 + "]" * 100000 + "}", "deep"),
        ("deep.yaml", START + "user_info: {n: " + "[" * 50000 + "}\n", "nesting"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 20 else "",
)
def test_a_hostile_layout_file_is_a_clear_error(
    tmp_path: Path, name: str, text: str, expected: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    started = time.monotonic()
    answer = run_capped(CHILD, str(path), what=f"loading {name}")
    assert time.monotonic() - started < 30
    assert answer["type"] == "LayoutError", answer
    assert str(path) in answer["message"] and expected in answer["message"], answer
