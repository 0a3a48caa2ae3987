"""The top-level names of `passkit`: each resolves, and importing the package costs nothing."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import passkit


@pytest.mark.parametrize("name", passkit.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    assert getattr(passkit, name).__name__ == name


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Passs'"):
        passkit.Passs  # noqa: B018


def test_importing_passkit_loads_no_heavy_dependency() -> None:
    heavy = ("pydantic", "cryptography", "PIL", "jinja2")
    code = f"import sys, passkit; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def _message_texts(node: ast.AST) -> list[ast.Constant]:
    """The pieces of text in a `raise` or a `click.echo`/`secho` call."""
    if isinstance(node, ast.Call):
        called = node.func
        name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
        if name not in {"echo", "secho"}:
            return []
    elif not isinstance(node, ast.Raise):
        return []
    return [
        inner
        for inner in ast.walk(node)
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str)
    ]


def test_no_message_names_a_python_argument_to_a_command_line_user() -> None:
    """Messages of errors and of the command line name options (--force) and environment
    variables, never a Python keyword argument (force=True, key_password=...)."""
    argument = re.compile(r"\b[a-z][a-z_]*=(\.\.\.|(True|False|None)\b)")
    found = []
    for path in sorted(Path(passkit.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for text in _message_texts(node):
                if argument.search(text.value):
                    found.append(f"{path.name}:{text.lineno}: {text.value}")
    # Reached only from Python: the command line always gives a time with its zone.
    allowed = {"check(now=...) needs a timezone-aware datetime"}
    assert [line for line in found if line.split(": ", 1)[1] not in allowed] == []
