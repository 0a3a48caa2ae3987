"""The errors of loading a layout: a `LayoutError` that names the file, the line and the field
path of a place in the layout, and pydantic's refusal of a layout file told in those terms."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from passkit.errors import LayoutError
from passkit.layout.checks import Loc
from passkit.layout.source import LocatedDict, format_path, locate


def located_error(document: LocatedDict, loc: Loc, message: str) -> LayoutError:
    """A LayoutError at `loc` of `document`, with the file and line it was read from."""
    mark, _ = locate(document, loc)
    return LayoutError(
        message,
        file=str(mark.file) if mark else None,
        line=mark.line if mark else None,
        field=format_path(loc) or None,
    )


def describe_place(document: LocatedDict, loc: Loc) -> str:
    """`loc` as messages name it: its field path and, when known, its file and line."""
    mark, _ = locate(document, loc)
    return f"{format_path(loc)} ({mark})" if mark else format_path(loc)


def _describe_error(item: Any) -> str:
    kind = item["type"]
    message = str(item["msg"])
    if kind == "missing":
        return "required, but missing"
    if kind == "value_error":
        error = item.get("ctx", {}).get("error")
        return str(error) if error is not None else message.removeprefix("Value error, ")
    if kind in ("unknown_key", "not_a_mapping"):
        return message
    shown = repr(item.get("input"))
    return f"{message} (got {shown[:60]}{'...' if len(shown) > 60 else ''})"


def _error_loc(item: Any) -> Loc:
    loc = tuple(part for part in item["loc"] if part != "[key]")
    if item["type"] == "unknown_key":
        loc = (*loc, item["ctx"]["key"])
    return loc


def validation_error(exc: ValidationError, document: LocatedDict) -> LayoutError:
    """The first problem pydantic found, at its line, followed by up to three more."""
    errors = exc.errors()
    first = errors[0]
    error = located_error(document, _error_loc(first), _describe_error(first))
    if len(errors) > 1:
        others = []
        for item in errors[1:4]:
            loc = _error_loc(item)
            mark, _ = locate(document, loc)
            line = f" (line {mark.line})" if mark and mark.line else ""
            others.append(f"{format_path(loc)}{line}: {_describe_error(item)}")
        more = f"; and {len(errors) - 4} more" if len(errors) > 4 else ""
        detail = f"{error.detail}; also {'; '.join(others)}{more}"
        error = LayoutError(detail, file=error.file, line=error.line, field=error.field)
    return error
