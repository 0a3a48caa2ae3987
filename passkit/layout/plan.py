"""The render plan of a layout: what it does for each record, prepared once when it loads.

Its templates run in two stages (passkit.layout.stage), each storing every template's result in
a slot; a tree of `Node`s then builds the `Pass` from the slots, walked for each record. Parts of
the pass that do not depend on the record are built (and so checked) when the layout loads and
shared by every pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticUndefined

from passkit.errors import WalletRuleError
from passkit.layout.barcodes import CodeGenerator
from passkit.layout.dates import ExpiryRule
from passkit.layout.stage import RenderError, Stage, truthy
from passkit.model.base import Model


class _Omit:
    """Marks a list item left out (its `when` is false, or its value is empty)."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()


@dataclass
class Plan:
    """What `Layout.render` runs for each record: the stages, the serial number, barcode and
    expiry worked out between them, and the tree that builds the pass."""

    early: Stage
    late: Stage
    serial_number: Node
    barcode_message: Node | None
    barcode_generator: CodeGenerator | None
    expiry: ExpiryRule | None
    expiry_at: Node
    expiry_days: Node
    expiry_hours: Node
    expiry_where: str
    pass_node: ModelNode


class Node:
    """Part of the pass, evaluated from the slots of one record (its constant parts once, when
    the layout loads). A part that is a model gives its data, a dict that the model enclosing it
    validates: the pass is validated once, as a whole (`ModelNode.make`)."""

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def check(self, values: Mapping[str, Any]) -> None:
        """Evaluate this part, building each model in it on its own, in the order `evaluate`
        takes: raises the RenderError of the first part at fault, with its place in the layout.
        Run only once the pass as a whole was refused, to say where."""
        self.evaluate(values)

    @property
    def constant(self) -> bool:
        return False


class Const(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return self.value

    @property
    def constant(self) -> bool:
        return True


class Slot(Node):
    """A template's result, optionally converted (e.g. a date into a moment)."""

    __slots__ = ("convert", "name", "where")

    def __init__(self, name: str, where: str, convert: Callable[[Any], Any] | None = None) -> None:
        self.name = name
        self.where = where
        self.convert = convert

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        value = values[self.name]
        if self.convert is None or value is None:
            return value
        try:
            return self.convert(value)
        except (ValueError, TypeError) as exc:
            raise RenderError(self.where, str(exc)) from None


class ModelNode(Node):
    """One part of the pass model built from its children; None children take the default."""

    __slots__ = ("children", "cls", "constants", "dynamic", "where")

    def __init__(self, cls: type[Model], children: Mapping[str, Node], where: str) -> None:
        self.cls = cls
        self.children = dict(children)
        self.where = where
        # Constant arguments are gathered once; only the others are evaluated per record. A
        # constant that is the model's default is left out: the model then takes its default
        # without checking it again for every pass.
        self.constants = {
            name: child.value
            for name, child in self.children.items()
            if isinstance(child, Const) and not _is_default(cls, name, child.value)
        }
        self.dynamic = tuple(
            (name, child) for name, child in self.children.items() if not isinstance(child, Const)
        )

    def arguments(self, values: Mapping[str, Any]) -> dict[str, Any]:
        arguments = dict(self.constants)
        for name, child in self.dynamic:
            value = child.evaluate(values)
            if value is not None:
                arguments[name] = value
        return arguments

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return self.arguments(values)

    def make(self, values: Mapping[str, Any]) -> Any:
        """The model instance (or what `evaluate` gives instead of data, e.g. OMIT): the data of
        the part and of every part in it, validated at once."""
        try:
            data = self.evaluate(values)
            return self.build(data) if isinstance(data, dict) else data
        except RenderError:
            self.check(values)  # names the innermost part at fault
            raise

    def build(self, data: dict[str, Any]) -> Any:
        try:
            return self.cls.model_validate(data)
        except WalletRuleError as exc:
            raise RenderError(self.where, str(exc)) from None

    def check(self, values: Mapping[str, Any]) -> None:
        for _, child in self.dynamic:
            child.check(values)
        data = self.evaluate(values)
        if isinstance(data, dict):
            self.build(data)


def _is_default(cls: type[Model], name: str, value: Any) -> bool:
    """Whether `value` is what the model takes for `name` when it is not given (None stands
    for the default too)."""
    if value is None:
        return True
    info = cls.model_fields.get(name)
    default = PydanticUndefined if info is None else info.default
    return type(value) is type(default) and value == default


class ListNode(Node):
    __slots__ = ("items",)

    def __init__(self, items: list[Node]) -> None:
        self.items = items

    def evaluate(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        results = []
        for item in self.items:
            value = item.evaluate(values)
            if value is not OMIT:
                results.append(value)
        return tuple(results)

    def check(self, values: Mapping[str, Any]) -> None:
        for item in self.items:
            item.check(values)


class DictNode(Node):
    __slots__ = ("items",)

    def __init__(self, items: Mapping[str, Node]) -> None:
        self.items = dict(items)

    def evaluate(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {key: node.evaluate(values) for key, node in self.items.items()}

    def check(self, values: Mapping[str, Any]) -> None:
        for node in self.items.values():
            node.check(values)


class Guarded(Node):
    """A list item shown only when its guard (a `when:` template) was true."""

    __slots__ = ("guard", "native", "node")

    def __init__(self, guard: str, native: bool, node: Node) -> None:
        self.guard = guard
        self.native = native
        self.node = node

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        if not truthy(values[self.guard], self.native):
            return OMIT
        return self.node.evaluate(values)

    def check(self, values: Mapping[str, Any]) -> None:
        if truthy(values[self.guard], self.native):
            self.node.check(values)


def fold(node: Node) -> Node:
    """A container of constants becomes one constant (built, and so checked, at load time)."""
    if isinstance(node, ModelNode) and all(c.constant for c in node.children.values()):
        return Const(node.make({}))
    if isinstance(node, ListNode) and all(c.constant for c in node.items):
        return Const(node.evaluate({}))
    if isinstance(node, DictNode) and all(c.constant for c in node.items.values()):
        return Const(node.evaluate({}))
    return node
