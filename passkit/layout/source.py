"""Reading layout files: YAML or JSON into plain data that remembers where every value came from.

Every mapping and list read from a file is a `Located` container holding, for each key or index,
the file and line it was written on. Those marks survive `extends` merging, so an error found
after merging still points at the file and line that a designer must edit, even when the value
came from a base layout.

The YAML dialect is deliberately plain (close to YAML 1.2's core schema): only ``true``/``false``
are booleans (``no``, ``on`` and ``yes`` stay text), numbers with leading zeros stay text (member
numbers keep their zeros), and dates stay text until the layout model reads them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from passkit.errors import LayoutError
from passkit.files import LAYOUT_LIMIT, read_limited


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a value was written."""

    file: Path
    line: int | None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else str(self.file)


class LocatedDict(dict[str, Any]):
    """A mapping read from a layout file, with the mark of each key and of itself."""

    mark: Mark
    marks: dict[str, Mark]

    def __init__(self, *args: Any, mark: Mark, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.mark = mark
        self.marks = {}


class LocatedList(list[Any]):
    """A list read from a layout file, with the mark of each item and of itself."""

    mark: Mark
    marks: list[Mark]

    def __init__(self, items: Iterable[Any], *, mark: Mark, marks: list[Mark]) -> None:
        super().__init__(items)
        self.mark = mark
        self.marks = marks


_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(
    r"^[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][-+]?[0-9]+)?|(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+)$"
)
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


# libyaml's parser, when PyYAML was built with it (its wheels are): eight times faster at
# start-up than the pure-Python one (docs/performance.md). (Not a
# conditional expression: mypy takes a class as a base only from a plain assignment.)
if TYPE_CHECKING or not yaml.__with_libyaml__:  # noqa: SIM108
    _SafeLoader = yaml.SafeLoader
else:
    _SafeLoader = yaml.CSafeLoader


class _Loader(_SafeLoader):
    """A SafeLoader with plain scalars, marks on containers and an error on duplicate keys."""

    file: Path
    merged_keys: set[int]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LocatedDict:  # type: ignore[override]
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {node.id}", node.start_mark
            )
        self.flatten_mapping(node)
        result = LocatedDict(mark=Mark(self.file, node.start_mark.line + 1))
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key) if isinstance(key, int | float | bool) or key is None else key
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None, None, "keys must be text", key_node.start_mark
                )
            line = key_node.start_mark.line + 1
            if key in result.marks and id(key_node) not in self.merged_keys:
                raise LayoutError(
                    f"the key {key!r} appears twice (first on line {result.marks[key].line}); "
                    "keep one",
                    file=str(self.file),
                    line=line,
                    field=key,
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.marks[key] = Mark(self.file, line)
        return result

    def construct_located_sequence(self, node: yaml.SequenceNode) -> LocatedList:
        return LocatedList(
            (self.construct_object(child, deep=True) for child in node.value),
            mark=Mark(self.file, node.start_mark.line + 1),
            marks=[Mark(self.file, child.start_mark.line + 1) for child in node.value],
        )

    def construct_located_mapping(self, node: yaml.MappingNode) -> LocatedDict:
        return self.construct_mapping(node, deep=True)

    def construct_plain_int(self, node: yaml.ScalarNode) -> int:
        return int(self.construct_scalar(node))

    def flatten_mapping(self, node: yaml.MappingNode) -> None:
        # Keys that come from a `<<: *anchor` merge may be overridden by the mapping itself;
        # mark them so that the duplicate-key check lets the override through.
        has_merge = any(key.tag == "tag:yaml.org,2002:merge" for key, _ in node.value)
        if not has_merge:
            return
        own = [key for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"]
        super().flatten_mapping(node)
        own_ids = {id(key) for key in own}
        own_values = {self.construct_scalar(k) for k in own if isinstance(k, yaml.ScalarNode)}
        kept = []
        for key, value in node.value:
            if id(key) not in own_ids:
                if isinstance(key, yaml.ScalarNode) and self.construct_scalar(key) in own_values:
                    continue
                self.merged_keys.add(id(key))
            kept.append((key, value))
        node.value = kept


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+.0123456789"))
_Loader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])
_Loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_plain_int)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_located_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_located_sequence)


def read_document(path: Path) -> LocatedDict:
    """Parse one layout file (YAML, or JSON, which YAML reads too) into located data."""
    try:
        text = read_limited(path, LAYOUT_LIMIT, "layout", LayoutError).decode("utf-8")
    except FileNotFoundError:
        raise LayoutError("layout file not found; check the path", file=str(path)) from None
    except UnicodeDecodeError:
        raise LayoutError("not UTF-8 text; save the layout as UTF-8", file=str(path)) from None
    except OSError as exc:
        raise LayoutError(f"cannot read the layout file ({exc.strerror})", file=str(path)) from None
    if path.suffix.lower() == ".json":
        # JSON has its own syntax errors; report them in JSON terms before YAML reads the text.
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise LayoutError(f"invalid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
        except (ValueError, RecursionError) as exc:
            raise LayoutError(f"invalid JSON: {_unreadable(exc)}", file=str(path)) from None
    loader = _Loader(text)
    loader.file = path
    loader.merged_keys = set()
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise LayoutError(
            f"invalid YAML: {problem}",
            file=str(path),
            line=mark.line + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise LayoutError(f"invalid YAML: {exc}", file=str(path)) from None
    except (ValueError, RecursionError) as exc:
        raise LayoutError(f"invalid YAML: {_unreadable(exc)}", file=str(path)) from None
    finally:
        loader.dispose()
    if data is None:
        raise LayoutError("the layout file is empty", file=str(path))
    if not isinstance(data, LocatedDict):
        raise LayoutError(
            "a layout is a mapping of keys (kind:, inputs:, fields: ...), not a list or a value",
            file=str(path),
            line=1,
        )
    if _expanded_size(data, {}) > MAX_EXPANDED_VALUES:
        raise LayoutError(
            f"its anchors and aliases (*name) expand to more than {MAX_EXPANDED_VALUES} values;"
            " a layout needs a few hundred: use aliases to share values, not to multiply them",
            file=str(path),
        )
    return data


def _unreadable(exc: ValueError | RecursionError) -> str:
    """What a parser that raised `exc` (not a syntax error) could not read."""
    if isinstance(exc, RecursionError):
        return "lists or mappings nested too deeply"
    return "a whole number longer than Python reads (4300 digits)"


# Values a layout may hold once its aliases are expanded: what reads it later (the schema, the
# JSON of a pass) sees every repeat, and nine aliases of nine aliases, eight levels deep, are
# forty million values (the "billion laughs").
MAX_EXPANDED_VALUES = 100_000


def _expanded_size(value: Any, sizes: dict[int, int]) -> int:
    """How many values `value` holds with every alias expanded, counted once per shared
    object (`sizes`), and stopping early past the limit."""
    if not isinstance(value, dict | list):
        return 1
    known = sizes.get(id(value))
    if known is None:
        known = 1
        for item in value.values() if isinstance(value, dict) else value:
            known += _expanded_size(item, sizes)
            if known > MAX_EXPANDED_VALUES:
                break
        sizes[id(value)] = known
    return known


def merge(base: Any, override: Any) -> Any:
    """Deep merge of `override` onto `base`: mappings merge key by key, anything else replaces.

    A key set to null in `override` removes the key inherited from `base`.
    """
    if not (isinstance(base, LocatedDict) and isinstance(override, LocatedDict)):
        return override
    result = LocatedDict(base, mark=override.mark)
    result.marks = dict(base.marks)
    for key, value in override.items():
        if value is None:
            result.pop(key, None)
            result.marks.pop(key, None)
            continue
        result[key] = merge(base[key], value) if key in base else value
        result.marks[key] = override.marks[key]
    return result


def locate(document: Any, loc: Iterable[str | int]) -> tuple[Mark | None, list[str | int]]:
    """The mark nearest to the value at `loc`, and the part of `loc` that exists in the data."""
    node = document
    mark: Mark | None = getattr(document, "mark", None)
    found: list[str | int] = []
    for part in loc:
        if isinstance(node, LocatedDict) and isinstance(part, str) and part in node:
            mark = node.marks.get(part, mark)
            node = node[part]
        elif isinstance(node, LocatedList) and isinstance(part, int) and 0 <= part < len(node):
            mark = node.marks[part]
            node = node[part]
        else:
            break
        found.append(part)
    return mark, found


def format_path(loc: Iterable[str | int]) -> str:
    """``("fields", "primary", 0, "value")`` as ``fields.primary[0].value``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text
