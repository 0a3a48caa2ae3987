"""The tests' own layout: every module of tests/ sits in a folder that is a package.

A module directly in tests/ belongs to no package's folder, and one in a folder without an
`__init__.py` is imported by its bare name, so that two of the same name in different folders
collide (pytest's default import mode); README, "Where the tests are", says where each goes.
"""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_module_sits_directly_in_tests() -> None:
    allowed = {"__init__.py", "conftest.py"}
    stray = sorted(path.name for path in TESTS.glob("*.py") if path.name not in allowed)
    assert not stray, f"move {stray} into the folder of the package they test (tests/<package>/)"


def test_every_folder_of_modules_is_a_package() -> None:
    folders = {path.parent for path in TESTS.rglob("*.py")}
    missing = sorted(
        str(folder.relative_to(TESTS))
        for folder in folders
        if not (folder / "__init__.py").exists()
    )
    assert not missing, "add an __init__.py to " + ", ".join(f"tests/{m}" for m in missing)
