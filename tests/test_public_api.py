"""The top-level names of `passkit`: each resolves, and importing the package costs nothing."""

from __future__ import annotations

import subprocess
import sys

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
