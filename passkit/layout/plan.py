"""The render plan: what a loaded layout does for each record, prepared once.

All templates of a layout are gathered into two jinja2 programs (`Stage`): the early one
(serial number, barcode message, expiry) and the late one (everything else, which may use the
serial number, the barcode value and the expiry). One program evaluates all its templates in one
call, which is many times faster than calling each template alone. Each template's result is
stored in a slot; a tree of `Node`s then builds the `Pass` from the slots, through one Python
function written from the tree when the layout loads (`compile_node`). Parts of the pass that do
not depend on the record are built when the layout loads and shared by every pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from pydantic import ValidationError

from passkit.errors import WalletRuleError
from passkit.layout.codegen import VALUES, FunctionWriter
from passkit.layout.sandbox import MAX_LENGTH, TemplateLimitError, current_budget, pass_budget
from passkit.layout.templating import ENVIRONMENT, Template
from passkit.model import Assembler, Model, describe_validation_error

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
        # What `program.make_module(context, shared=True)` does, less its cost (1.5 to 3 us a
        # call): the context made without the template's globals (which `{% import %}` alone
        # reads: layouts cannot import) and no module object around the values.
        environment = program.environment
        state = environment.context_class(environment, context, program.name, program.blocks)
        budget = current_budget()  # the pass's: `Layout.render` runs the stages inside one
        start = budget.snapshot()
        try:
            for _ in program.root_render_func(state):
                pass  # the program only sets slots: it writes no text
        except Exception:
            # The templates again, one at a time and from the same budget: the one that fails
            # (or passes a bound of the pass) is named.
            budget.restore(start)
            with pass_budget():
                self._explain(context)
            raise
        values = state.vars
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
    """Part of the pass: evaluated from the slots of one record.

    `evaluate` walks the tree (used once, when the layout loads, to build its constant parts);
    `emit` writes the same steps as Python source (see `compile_node`), which is what runs for
    every record. The two must agree: the tests compare them.
    """

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def emit(self, code: FunctionWriter) -> str:
        """Write the statements computing this node; returns the expression holding its value."""
        raise NotImplementedError

    @property
    def constant(self) -> bool:
        return False

    @property
    def may_omit(self) -> bool:
        """Whether the value may be OMIT (a list item left out)."""
        return False


class Const(Node):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return self.value

    def emit(self, code: FunctionWriter) -> str:
        return code.constant(self.value)

    @property
    def constant(self) -> bool:
        return True

    @property
    def may_omit(self) -> bool:
        return self.value is OMIT


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

    def emit(self, code: FunctionWriter) -> str:
        value = code.temporary()
        code.line(f"{value} = {VALUES}[{self.name!r}]")
        if self.convert is not None:
            code.line(f"if {value} is not None:")
            with code.indented():
                code.line("try:")
                code.line(f"    {value} = {code.constant(self.convert)}({value})")
                code.line("except (ValueError, TypeError) as exc:")
                error = f"{code.constant(RenderError)}({code.constant(self.where)}, str(exc))"
                code.line(f"    raise {error} from None")
        return value


class ModelNode(Node):
    """One part of the pass model built from its children; None children take the default."""

    __slots__ = ("assemble", "children", "cls", "constants", "dynamic", "where")

    def __init__(
        self,
        cls: type[Model],
        children: Mapping[str, Node],
        where: str,
        *,
        assemble: bool = False,
    ) -> None:
        self.cls = cls
        self.children = dict(children)
        self.where = where
        # Build through an `Assembler`, which validates the constant arguments once. It pays
        # for a model with many constant arguments (the Pass: 14 -> 8 us), not for a small one
        # (a PassField: 2.8 -> 4 us).
        self.assemble = assemble
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
        return self.build(self.arguments(values))

    def build(self, arguments: dict[str, Any]) -> Any:
        try:
            return self.cls(**arguments)
        except WalletRuleError as exc:
            raise RenderError(self.where, str(exc)) from None

    def emit(self, code: FunctionWriter) -> str:
        assembler = None
        if self.assemble:
            assembler = Assembler.make(self.cls, self.constants, [name for name, _ in self.dynamic])
        if assembler is None:
            return self.emit_build(code, self.emit_arguments(code))
        # The assembler holds the constant arguments; the code gathers the varying ones.
        return self.emit_build(code, self.emit_arguments(code, with_constants=False), assembler)

    def emit_arguments(self, code: FunctionWriter, *, with_constants: bool = True) -> str:
        return self.emit_arguments_of(code, self.emit_values(code), with_constants=with_constants)

    def emit_values(self, code: FunctionWriter) -> list[tuple[str, str]]:
        """Each varying argument's name, and the variable its value is in."""
        return [(name, child.emit(code)) for name, child in self.dynamic]

    def emit_arguments_of(
        self, code: FunctionWriter, values: list[tuple[str, str]], *, with_constants: bool = True
    ) -> str:
        """The arguments' dict: the constant ones, and the `values` that are not None."""
        arguments = code.temporary()
        if with_constants:
            code.line(f"{arguments} = {code.constant(self.constants)}.copy()")
        else:
            code.line(f"{arguments} = {{}}")
        for name, value in values:
            code.line(f"if {value} is not None:")
            code.line(f"    {arguments}[{name!r}] = {value}")
        return arguments

    def emit_build(
        self,
        code: FunctionWriter,
        arguments: str,
        build: Callable[[dict[str, Any]], Any] | None = None,
    ) -> str:
        # By default the model's validator called directly, as Model.__init__ does (same object,
        # same checks) without the Python call and the keyword arguments: ~1 us a model. It
        # raises what Model.__init__ turns into a WalletRuleError; so does an Assembler.
        result = code.temporary()
        if build is None:
            build = self.cls.__pydantic_validator__.validate_python
        validate = code.constant(build)
        code.line("try:")
        code.line(f"    {result} = {validate}({arguments})")
        error = f"{code.constant(model_error)}({code.constant(self.where)}, exc)"
        code.line(f"except {code.constant(_MODEL_ERRORS)} as exc:")
        code.line(f"    raise {error} from None")
        return result


_MODEL_ERRORS = (ValidationError, WalletRuleError)


def model_error(where: str, error: ValidationError | WalletRuleError) -> RenderError:
    """The error `ModelNode.build` raises for what a model refused: Model.__init__'s message."""
    if isinstance(error, ValidationError):
        return RenderError(where, describe_validation_error(error))
    return RenderError(where, str(error))


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

    def emit(self, code: FunctionWriter) -> str:
        result = code.temporary()
        if not any(item.may_omit for item in self.items):
            values = [item.emit(code) for item in self.items]
            code.line(f"{result} = ({''.join(value + ', ' for value in values)})")
            return result
        code.line(f"{result} = []")
        for item in self.items:
            value = item.emit(code)
            if item.may_omit:
                code.line(f"if {value} is not {code.constant(OMIT)}:")
                code.line(f"    {result}.append({value})")
            else:
                code.line(f"{result}.append({value})")
        code.line(f"{result} = tuple({result})")
        return result


class DictNode(Node):
    __slots__ = ("items",)

    def __init__(self, items: Mapping[str, Node]) -> None:
        self.items = dict(items)

    def evaluate(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {key: node.evaluate(values) for key, node in self.items.items()}

    def emit(self, code: FunctionWriter) -> str:
        items = [(code.constant(key), node.emit(code)) for key, node in self.items.items()]
        result = code.temporary()
        code.line(f"{result} = {{{', '.join(f'{key}: {value}' for key, value in items)}}}")
        return result


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

    def emit(self, code: FunctionWriter) -> str:
        guard = code.temporary()
        code.line(f"{guard} = {VALUES}[{self.guard!r}]")
        result = code.temporary()
        shown = guard if self.native else f"{code.constant(_truthy)}({guard}, False)"
        code.line(f"if {shown}:")
        with code.indented():
            value = self.node.emit(code)
            code.line(f"{result} = {value}")
        code.line("else:")
        code.line(f"    {result} = {code.constant(OMIT)}")
        return result

    @property
    def may_omit(self) -> bool:
        return True


def fold(node: Node) -> Node:
    """A container of constants becomes one constant (built, and so checked, at load time)."""
    if isinstance(node, ModelNode) and all(c.constant for c in node.children.values()):
        return Const(node.evaluate({}))
    if isinstance(node, ListNode) and all(c.constant for c in node.items):
        return Const(node.evaluate({}))
    if isinstance(node, DictNode) and all(c.constant for c in node.items.values()):
        return Const(node.evaluate({}))
    return node


def compile_node(node: Node, filename: str) -> Callable[[Mapping[str, Any]], Any]:
    """A function evaluating `node` from one record's slot values, as `node.evaluate` does."""
    code = FunctionWriter()
    result = node.emit(code)
    return code.compile("evaluate", result, filename)
