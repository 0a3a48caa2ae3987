"""What `passkit serve` serves: the layout files of a folder one can draw, and the target given
on the command line checked before the server starts (a layout file, a folder of layouts or a
shipped layout's name)."""

from __future__ import annotations

from pathlib import Path

import yaml

from passkit.errors import DataError, LayoutError, PasskitError
from passkit.files import LAYOUT_LIMIT, read_limited
from passkit.layout.library import LAYOUT_SUFFIXES, find_layout
from passkit.preview.sample import read_record


def discover_layouts(target: Path) -> list[Path]:
    """The layout files of a directory (base layouts marked abstract left out), or the file."""
    if target.is_file():
        return [target] if is_layout_file(target) else []
    return [path for path in sorted(target.iterdir()) if is_layout_file(path)]


def is_layout_file(path: Path) -> bool:
    """A .yaml, .yml or .json file that is a layout one can draw: a mapping with a `kind` or an
    `extends`, not marked abstract. A file that cannot be parsed counts: opening it shows why."""
    if path.suffix.lower() not in LAYOUT_SUFFIXES or not path.is_file():
        return False
    try:
        data = yaml.safe_load(read_limited(path, LAYOUT_LIMIT, "layout").decode("utf-8"))
    except (OSError, PasskitError, yaml.YAMLError, UnicodeDecodeError):
        return True
    if not isinstance(data, dict):
        return False
    return data.get("abstract") is not True and ("kind" in data or "extends" in data)


def resolve_target(target: Path, data: Path | None) -> Path:
    """The layout file or folder to serve (a shipped layout may be named: "loyalty")."""
    if not target.exists():
        try:
            target = find_layout(target)
        except LayoutError:
            raise LayoutError(
                "no such layout file or folder; give a layout file, a folder of layouts or the "
                "name of a shipped layout",
                file=str(target),
            ) from None
    if target.is_dir() and not discover_layouts(target):
        raise LayoutError("this folder holds no layout (.yaml, .yml or .json)", file=str(target))
    if not target.is_dir() and not discover_layouts(target):
        raise LayoutError(
            "not a layout: give a .yaml, .yml or .json file with a `kind` (or an `extends`),"
            " or a folder of layouts",
            file=str(target),
        )
    if data is not None:
        read_record(data)  # fail now, with the reason, rather than in the page
        if not data.is_file():
            raise DataError("not a file", input=str(data))
    return target
