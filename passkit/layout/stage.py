"""The stages of a render plan: every template of a layout in one of two jinja2 programs.

The early stage evaluates the serial number, the barcode message and the expiry; the late one
everything else, which may use the serial number, the barcode value and the expiry. One program
evaluates all its templates in one call, which is many times faster than calling each template
alone; each template's result is stored in a slot. When a program fails, its templates are
evaluated again one by one so that the error names the one at fault and its line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from passkit.layout.sandbox import MAX_LENGTH, PassBudget, TemplateLimitError, current_budget
from passkit.layout.templating import ENVIRONMENT, Template

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


@dataclass(frozen=True)
class Step:
    slot: str
    template: Template
    guard: str | None
    is_guard: bool = False
    # The slot of an earlier step of the same template under the same guard: this step takes
    # its value instead of evaluating the template again.
    same_as: str | None = None


class Stage:
    """One jinja2 program assigning every template's result to its slot."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._parts: list[str] = []
        self._steps: list[Step] = []
        self._guard: str | None = None
        # The slot of each template evaluated so far, by its text and the guard it is under.
        self._evaluated: dict[tuple[str, str | None], str] = {}
        self._program: jinja2.Template | None = None
        self._slots: tuple[str, ...] = ()
        self._shared: tuple[tuple[str, str], ...] = ()
        self._native_slots: tuple[str, ...] = ()
        self._text_steps: tuple[Step, ...] = ()

    def __bool__(self) -> bool:
        return bool(self._steps)

    def add(self, template: Template) -> str:
        """A slot for `template`'s result. A template written again (an `alt_text` repeating a
        field's value) is evaluated once: the same text in the same context gives the same
        value, since templates cannot change what they read."""
        slot = self._new_slot()
        twin = self._evaluated.get((template.source, self._guard))
        if twin is not None:
            self._steps.append(Step(slot, template, self._guard, same_as=twin))
            return slot
        self._evaluated[(template.source, self._guard)] = slot
        self._assign(slot, template)
        self._steps.append(Step(slot, template, self._guard))
        return slot

    def open_guard(self, template: Template) -> str:
        """Start a block evaluated only when `template` is true; returns the guard's slot."""
        if self._guard is not None:
            raise RuntimeError("guards do not nest")
        slot = self._new_slot()
        self._assign(slot, template)
        self._steps.append(Step(slot, template, None, is_guard=True))
        if template.native:
            self._parts.append(f"{{% if {slot} %}}")
        else:
            self._parts.append(f"{{% if {slot} | trim | lower not in ('', 'false', 'no', '0') %}}")
        self._guard = slot
        return slot

    def close_guard(self) -> None:
        self._parts.append("{% endif %}")
        self._guard = None

    def _assign(self, slot: str, template: Template) -> None:
        if template.native:
            self._parts.append(f"{{% set {slot} = ({template.expression}) %}}")
        else:
            self._parts.append(f"{{% set {slot} %}}{template.source}{{% endset %}}")

    def compile(self) -> None:
        if self._steps:
            self._program = ENVIRONMENT.from_string("".join(self._parts))
        evaluated = [step for step in self._steps if step.same_as is None]
        self._slots = tuple(step.slot for step in evaluated)
        self._shared = tuple((s.slot, s.same_as) for s in self._steps if s.same_as is not None)
        self._native_slots = tuple(step.slot for step in evaluated if step.template.native)
        self._text_steps = tuple(step for step in evaluated if not step.template.native)

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
            with PassBudget():
                self._explain(context)
            raise
        # Each `{% set %}` of the program is an attribute of its module; a slot inside a false
        # guard was never set.
        exported = vars(module)
        values = {slot: exported[slot] for slot in self._slots if slot in exported}
        for slot, twin in self._shared:
            if twin in values:
                values[slot] = values[twin]
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
            if step.same_as is not None or (
                step.guard is not None and not guards.get(step.guard, False)
            ):
                continue  # evaluated as its twin, or under a guard that is false
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
                guards[step.slot] = truthy(value, step.template.native)
        raise RenderError("", "a template failed but the failure could not be located")

    def _new_slot(self) -> str:
        return f"{SLOT_PREFIX}{self.name}{len(self._steps)}"


def truthy(value: Any, native: bool) -> bool:
    """Whether a `when:` holds: a single expression's value as Python sees it; text unless it
    is empty, false, no or 0."""
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
