"""The README's lifecycle example ("Testing your passes"), run unchanged as a user's project
runs it: a test file in a temporary project, pytest in a process of its own, the plugin from
the installed passkit's entry point."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

README = Path(__file__).resolve().parents[2] / "README.md"
NAME = "# tests/test_member_updates.py"


def readme_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    [block] = [block for block in blocks if block.startswith(NAME)]
    return block


def test_the_readme_lifecycle_example_passes(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PASSKIT_PUSH", raising=False)  # a user's environment
    pytester.makepyfile(test_member_updates=readme_example())
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_example_fails_when_the_push_does_not_come(pytester: pytest.Pytester) -> None:
    # The same test, with the change that pushes taken out: the stand-in waits in vain.
    example = readme_example().replace(
        "passkit_service.registry.update(\n"
        '        issued.serial, {"points": 1250}, message="You now have 1,250 points"\n'
        "    )",
        "pass",
    )
    assert "registry.update" not in example
    pytester.makepyfile(test_member_updates=example)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*APNs stand-in: expected 1 pushes*"])
