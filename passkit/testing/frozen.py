"""Read-only views of parsed JSON, and strict JSON parsing of bytes from an untrusted file.

What a test reads from a bundle must not be changed by the test by accident: objects become
`FrozenDict` and arrays `FrozenList`, which still compare equal to plain dicts and lists, so
``bundle.pass_json["locations"] == [{"latitude": 1.0, "longitude": 2.0}]`` holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

from passkit.errors import BundleError


class FrozenDict(Mapping[str, Any]):
    """A JSON object that cannot be changed; equal to a dict with the same items."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any]) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return repr(self._items)

    __hash__ = None  # type: ignore[assignment]  # mutable-looking values stay unhashable

    def thaw(self) -> dict[str, Any]:
        """A plain, changeable deep copy (for json.dumps or for building a variant)."""
        return {key: thaw(value) for key, value in self._items.items()}


class FrozenList(tuple[Any, ...]):
    """A JSON array that cannot be changed; equal to a list with the same items."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list):
            return tuple.__eq__(self, tuple(other))
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        return repr(list(self))

    def thaw(self) -> list[Any]:
        return [thaw(value) for value in self]


def freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return FrozenDict({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return FrozenList(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    if isinstance(value, FrozenDict | FrozenList):
        return value.thaw()
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _no_constants(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def parse_json(data: bytes, where: str) -> Any:
    """Strictly parse JSON bytes: UTF-8 only, no duplicate keys, no NaN; else `BundleError`."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise BundleError(f"{where}: starts with a byte-order mark; write JSON as plain UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BundleError(
            f"{where}: not UTF-8 text (invalid byte at position {exc.start}); "
            "JSON files of a pass must be UTF-8"
        ) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except _DuplicateKey as exc:
        raise BundleError(
            f"{where}: the key {exc.key!r} appears twice in one object; readers disagree on "
            "which one counts, so this is refused"
        ) from None
    except json.JSONDecodeError as exc:
        raise BundleError(
            f"{where}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except ValueError as exc:
        raise BundleError(f"{where}: invalid JSON: {exc}") from None
    except RecursionError:
        raise BundleError(f"{where}: JSON nested too deeply") from None


def parse_frozen_json(data: bytes, where: str) -> Any:
    """`parse_json`, then `freeze`: a read-only view of the document."""
    value = parse_json(data, where)
    try:
        return freeze(value)
    except RecursionError:
        raise BundleError(f"{where}: JSON nested too deeply") from None
