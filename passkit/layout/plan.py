"""The render plan: what a loaded layout does for each record, prepared once.

All templates of a layout are gathered into two jinja2 programs (`Stage`): the early one
(serial number, barcode message, expiry) and the late one (everything else, which may use the
serial number, the barcode value and the expiry). One program evaluates all its templates in one
call, which is many times faster than calling each template alone. Each template's result is
stored in a slot; a tree of `Node`s then builds the `Pass` from the slots, walked for each
record. Parts of the pass that do not depend on the record are built (and so checked) when the
layout loads and shared by every pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from passkit.errors import WalletRuleError
from passkit.layout.sandbox import MAX_LENGTH, TemplateLimitError, current_budget, pass_budget
from passkit.layout.templating import ENVIRONMENT, Template
from passkit.model.base import Model

SLOT_PREFIX = "pk__"


class RenderError(Exception):
    """A value could not be made for one record: where (layout path and line) and why."""

    def __init__(
        self,
        where: str,
        message: str,
        variables: frozenset[str] = frozenset(),
        *,
        limit: bool = False,
    ) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message
        self.variables = variables
        # A bound of the sandbox was passed: the layout computes too much (see sandbox).
        self.limit = limit


class _Omit:
    """Marks a list item left out (its `when` is false, or its value is empty)."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Any = _Omit()


# ---------------------------------------------------------------------------------------------
# Stages


@dataclass(frozen=True)
class Step:
    slot: str
    template: Template
    guard: str | None
    is_guard: bool = False


class Stage:
    """One jinja2 program assigning every template's result to its slot."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._parts: list[str] = []
        self._steps: list[Step] = []
        self._guard: str | None = None
        self._program: jinja2.Template | None = None
        self._slots: tuple[str, ...] = ()
        self._native_slots: tuple[str, ...] = ()
        self._text_steps: tuple[Step, ...] = ()

    def __bool__(self) -> bool:
        return bool(self._steps)

    def add(self, template: Template) -> str:
        slot = self._new_slot()
        if template.native:
            self._parts.append(f"{{% set {slot} = ({template.expression}) %}}")
        else:
            self._parts.append(f"{{% set {slot} %}}{template.source}{{% endset %}}")
        self._steps.append(Step(slot, template, self._guard))
        return slot

    def open_guard(self, template: Template) -> str:
        """Start a block evaluated only when `template` is true; returns the guard's slot."""
        if self._guard is not None:
            raise RuntimeError("guards do not nest")
        slot = self.add(template)
        self._steps[-1] = Step(slot, template, None, is_guard=True)
        if template.native:
            self._parts.append(f"{{% if {slot} %}}")
        else:
            self._parts.append(f"{{% if {slot} | trim | lower not in ('', 'false', 'no', '0') %}}")
        self._guard = slot
        return slot

    def close_guard(self) -> None:
        self._parts.append("{% endif %}")
        self._guard = None

    def compile(self) -> None:
        if self._steps:
            self._program = ENVIRONMENT.from_string("".join(self._parts))
        self._slots = tuple(step.slot for step in self._steps)
        self._native_slots = tuple(step.slot for step in self._steps if step.template.native)
        self._text_steps = tuple(step for step in self._steps if not step.template.native)

    def run(self, context: dict[str, Any]) -> dict[str, Any]:
        """Every slot's value; raises RenderError naming the template that failed.

        `context` must hold the environment's globals (`templating.GLOBALS`): it is shared
        with the program rather than copied, which halves the cost of a call.
        """
        program = self._program
        if program is None:
            return {}
        budget = current_budget()  # the pass's: `Layout.render` runs the stages inside one
        start = budget.snapshot()
        try:
            # `shared=True`: the program reads the context as it is rather than a copy.
            module = program.make_module(context, shared=True)
        except Exception:
            # The templates again, one at a time and from the same budget: the one that fails
            # (or passes a bound of the pass) is named.
            budget.restore(start)
            with pass_budget():
                self._explain(context)
            raise
        # Each `{% set %}` of the program is an attribute of its module; a slot inside a false
        # guard was never set.
        exported = vars(module)
        values = {slot: exported[slot] for slot in self._slots if slot in exported}
        # Only a single expression can leave an undefined value behind: text would have failed.
        for slot in self._native_slots:
            if isinstance(values.get(slot), jinja2.Undefined):
                self._explain(context)
        self._check_lengths(values)
        return values

    def _check_lengths(self, values: Mapping[str, Any]) -> None:
        # Text templates only: a single expression's value is checked as it is made.
        for step in self._text_steps:
            value = values.get(step.slot)
            if isinstance(value, str) and len(value) > MAX_LENGTH:
                raise RenderError(
                    step.template.where,
                    f"the value is {len(value)} characters, over the limit of {MAX_LENGTH}"
                    " for one value",
                    step.template.variables,
                    limit=True,
                )

    def _explain(self, context: Mapping[str, Any]) -> None:
        """Evaluate the templates one by one to find, and report, the one that fails."""
        guards: dict[str, bool] = {}
        for step in self._steps:
            if step.guard is not None and not guards.get(step.guard, False):
                continue
            try:
                value = step.template.evaluate(context)
            except Exception as exc:  # any error of a designer's template is reported as data
                raise RenderError(
                    step.template.where,
                    _describe(exc),
                    step.template.variables,
                    limit=isinstance(exc, TemplateLimitError),
                ) from None
            if step.is_guard:
                guards[step.slot] = _truthy(value, step.template.native)
        raise RenderError("", "a template failed but the failure could not be located")

    def _new_slot(self) -> str:
        return f"{SLOT_PREFIX}{self.name}{len(self._steps)}"


def _truthy(value: Any, native: bool) -> bool:
    if native:
        return bool(value)
    return str(value).strip().lower() not in ("", "false", "no", "0")


def _describe(exc: Exception) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"{exc.message or 'undefined value'} (check the record and the template)"
    message = str(exc)
    if isinstance(exc, ValueError | TypeError) and message:
        return message
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


# ---------------------------------------------------------------------------------------------
# Nodes


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
        # Constant arguments are gathered once; only the others are evaluated per record.
        self.constants = {
            name: child.evaluate({})
            for name, child in self.children.items()
            if isinstance(child, Const) and child.value is not None
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
        if not _truthy(values[self.guard], self.native):
            return OMIT
        return self.node.evaluate(values)

    def check(self, values: Mapping[str, Any]) -> None:
        if _truthy(values[self.guard], self.native):
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
