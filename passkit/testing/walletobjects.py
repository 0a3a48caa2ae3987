"""Google Wallet JSON checked against the walletobjects v1 discovery document.

The discovery document is the one google-api-python-client ships (install
``passkit[testing]``), or any copy given by path. `validate` lists every way a value breaks a
schema of it: unknown or deprecated fields, wrong types, enum values that are unknown, legacy
or lower-case, integers out of range, dates that are not ISO 8601, and required fields left
empty (as the field descriptions say). The Google stand-in refuses what it lists, as Google
refuses a malformed class or object with 400.
"""

from __future__ import annotations

import importlib.util
import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from passkit.errors import PasskitError

DOCUMENT = "discovery_cache/documents/walletobjects.v1.json"
_REQUIRED = re.compile(
    r"^Required\.|This is required\.|This is a required (field|property)|"
    r"Required for each nested object"
)
_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "uint32": (0, 2**32 - 1)}


def discovery_path() -> Path:
    """Where google-api-python-client keeps the walletobjects discovery document."""
    spec = importlib.util.find_spec("googleapiclient")
    if spec is None or spec.origin is None:
        raise PasskitError(
            "the walletobjects discovery document comes with google-api-python-client, which "
            "is not installed: pip install 'passkit[testing]'"
        )
    return Path(spec.origin).parent / DOCUMENT


@cache
def discovery(path: Path | None = None) -> dict[str, Any]:
    """The discovery document (read once per path)."""
    where = path or discovery_path()
    try:
        data: dict[str, Any] = json.loads(where.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PasskitError(f"cannot read the discovery document {where}: {exc}") from None
    return data


def is_deprecated(prop: dict[str, Any]) -> bool:
    description = prop.get("description", "")
    return bool(prop.get("deprecated")) or description.startswith(
        ("Deprecated", "An unused/deprecated")
    )


def is_required(prop: dict[str, Any]) -> bool:
    return bool(_REQUIRED.search(prop.get("description", "")))


def validate(schema: str, value: Any, *, document: Path | None = None) -> list[str]:
    """Every way `value` breaks the discovery document's `schema`, as 'path: problem' lines."""
    problems: list[str] = []
    _check_schema(discovery(document)["schemas"], schema, value, schema, problems)
    return problems


def assert_valid(schema: str, value: Any) -> None:
    problems = validate(schema, value)
    assert not problems, f"{schema} does not match the discovery document:\n" + "\n".join(problems)


def _check_schema(
    schemas: dict[str, Any], name: str, value: Any, path: str, problems: list[str]
) -> None:
    schema = schemas[name]
    if not isinstance(value, dict):
        problems.append(f"{path}: expected an object ({name}), got {type(value).__name__}")
        return
    properties = schema.get("properties", {})
    for key, item in value.items():
        prop = properties.get(key)
        if prop is None:
            problems.append(f"{path}.{key}: unknown field of {name}")
            continue
        if is_deprecated(prop):
            problems.append(f"{path}.{key}: deprecated field of {name}")
        _check_value(schemas, prop, item, f"{path}.{key}", problems)
    for key, prop in properties.items():
        if is_required(prop) and value.get(key) in (None, "", [], {}):
            problems.append(f"{path}.{key}: required field of {name} is missing")


def _check_value(
    schemas: dict[str, Any], prop: dict[str, Any], value: Any, path: str, problems: list[str]
) -> None:
    if "$ref" in prop:
        _check_schema(schemas, prop["$ref"], value, path, problems)
        return
    kind = prop.get("type")
    if kind == "array":
        if not isinstance(value, list):
            problems.append(f"{path}: expected an array, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check_value(schemas, prop["items"], item, f"{path}[{index}]", problems)
    elif kind == "string":
        _check_string(prop, value, path, problems)
    elif kind == "integer":
        fmt = prop.get("format")
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer, got {type(value).__name__}")
        elif fmt in _INT_RANGES and not _INT_RANGES[fmt][0] <= value <= _INT_RANGES[fmt][1]:
            problems.append(f"{path}: {value} is outside the {fmt} range")
    elif kind == "number":
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(f"{path}: expected a number, got {type(value).__name__}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected true or false, got {type(value).__name__}")
    else:
        problems.append(f"{path}: the discovery document has no type for this field")


def _check_string(prop: dict[str, Any], value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, str):
        problems.append(f"{path}: expected a string, got {type(value).__name__}")
        return
    fmt = prop.get("format")
    if fmt in ("int64", "uint64") and not re.fullmatch(r"-?[0-9]+", value):
        problems.append(f"{path}: expected an {fmt} in a string, got {value!r}")
    if "enum" in prop:
        _check_enum(prop, value, path, problems)
    if "ISO 8601" in prop.get("description", ""):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            problems.append(f"{path}: {value!r} is not an ISO 8601 date/time")


def _check_enum(prop: dict[str, Any], value: str, path: str, problems: list[str]) -> None:
    allowed = prop["enum"]
    if value not in allowed:
        problems.append(f"{path}: {value!r} is not one of {allowed}")
        return
    deprecated = prop.get("enumDeprecated", [False] * len(allowed))
    if deprecated[allowed.index(value)]:
        problems.append(f"{path}: {value!r} is a deprecated (legacy) enum value")
    if value != value.upper() or value.endswith("_UNSPECIFIED"):
        problems.append(f"{path}: {value!r} is a lower-case or unspecified enum value")
